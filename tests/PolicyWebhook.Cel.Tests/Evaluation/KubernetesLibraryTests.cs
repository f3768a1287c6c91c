namespace PolicyWebhook.Cel.Tests.Evaluation;

public sealed class KubernetesLibraryTests
{
    [Theory]
    [InlineData("quantity('4Gi').compareTo(quantity('4096Mi')) == 0")]
    [InlineData("quantity('500m').isLessThan(quantity('1'))")]
    [InlineData("quantity('1.5G').isGreaterThan(quantity('1Gi'))")]
    [InlineData("quantity('129e6') == quantity('129M')")]
    [InlineData("quantity('1k').add(24).asInteger() == 1024")]
    [InlineData("quantity('2').sub(quantity('500m')).asApproximateFloat() == 1.5")]
    [InlineData("!quantity('500m').isInteger() && quantity('-1').sign() == -1")]
    [InlineData("isQuantity('20Mi') && !isQuantity('20MB') && !isQuantity('')")]
    [InlineData("[3, 1, 2].min() == 1 && [3, 1, 2].max() == 3 && [1, 2, 3].sum() == 6 && [1, 2, 2].isSorted()")]
    [InlineData("[1, 2, 1].indexOf(1) == 0 && [1, 2, 1].lastIndexOf(1) == 2 && 'abc'.indexOf('c') == 2")]
    [InlineData("'image: nginx:1.25'.find('[0-9.]+') == '1.25' && 'a1b22c333'.findAll('[0-9]+') == ['1', '22', '333']")]
    [InlineData("'a1b22c333'.findAll('[0-9]+', 2) == ['1', '22'] && 'abc'.find('x') == ''")]
    [InlineData("ip('10.0.0.1').isCanonical() && !ip('2001:DB8::1').isCanonical() && cidr('10.0.0.0/8').containsIP('10.1.2.3')")]
    public void Evaluate_KubernetesLibraries_AreAvailable(string source) => Assert.Equal(true, Cel.Value(source));

    [Theory]
    [InlineData("quantity('4Gi5')")]
    [InlineData("quantity('1.5').asInteger()")]
    [InlineData("[].min()")]
    [InlineData("ip('010.0.0.1')")]
    [InlineData("ip('::ffff:1.2.3.4')")]
    public void Evaluate_KubernetesLibraryMisuse_IsAnError(string source) => Assert.True(Cel.Run(source).IsError);

    [Fact]
    public void Evaluate_MemoryCapRule_JudgesContainers()
    {
        using var json = System.Text.Json.JsonDocument.Parse("""{"containers":[{"name":"a","resources":{"limits":{"memory":"2Gi"}}},{"name":"b","resources":{}},{"name":"c","resources":{"limits":{"memory":"8Gi"}}}]}""");
        var variables = new Dictionary<string, object?> { ["podSpec"] = Values.JsonValues.From(json.RootElement) };
        const string Rule = "podSpec.containers.filter(c, has(c.resources.limits) && 'memory' in c.resources.limits && quantity(c.resources.limits.memory).compareTo(quantity('4Gi')) > 0).map(c, c.name)";

        Assert.Equal(new object?[] { "c" }, Cel.Value(Rule, variables));
    }
}

public sealed class KubernetesUrlSemverFormatTests
{
    [Theory]
    [InlineData("url('https://user@example.com:8443/a%20b?x=1&x=2&y').getHost() == 'example.com:8443'")]
    [InlineData("url('https://[::1]:80/').getHostname() == '::1' && url('https://[::1]:80/').getPort() == '80'")]
    [InlineData("url('https://example.com/a%20b?x=1&x=2&y').getEscapedPath() == '/a%20b'")]
    [InlineData("url('https://example.com/?x=1&x=2&y').getQuery() == {'x': ['1', '2'], 'y': ['']}")]
    [InlineData("url('/just/a/path').getScheme() == '' && isURL('https://example.com') && !isURL('example.com') && !isURL('a b')")]
    [InlineData("semver('1.2.3').major() == 1 && semver('1.2.3').isLessThan(semver('1.10.0'))")]
    [InlineData("semver('1.0.0-rc.1').isLessThan(semver('1.0.0')) && semver('1.0.0-alpha.2').compareTo(semver('1.0.0-alpha.10')) == -1")]
    [InlineData("isSemver('v1.2', true) && !isSemver('v1.2') && semver('01.2.3', true).major() == 1")]
    [InlineData("!format.dns1123Label().validate('my-name').hasValue()")]
    [InlineData("format.dns1123Label().validate('My_Name').value().size() == 1")]
    [InlineData("format.named('labelValue').value().validate('').hasValue() == false && !format.named('nope').hasValue()")]
    [InlineData("!format.qualifiedName().validate('example.com/my.name').hasValue() && format.qualifiedName().validate('a/b/c').hasValue()")]
    [InlineData("!format.dns1123LabelPrefix().validate('web-').hasValue() && !format.uuid().validate('123e4567-e89b-12d3-a456-426614174000').hasValue()")]
    [InlineData("!format.date().validate('2024-02-29').hasValue() && format.date().validate('2023-02-29').hasValue()")]
    public void Evaluate_UrlSemverFormat_AreAvailable(string source) => Assert.Equal(true, Cel.Value(source));
}
