using System.Globalization;
using System.Xml.Linq;
using PolicyWebhook.Cli.Commands;
using PolicyWebhook.Engine;

namespace PolicyWebhook.Cli.Output;

/// <summary>
/// JUnit XML for CI test reports: one test suite per file, one test case per object; a denied object is a failure,
/// an unreadable file an error. Each failure lists the object's violations in the webhook's words.
/// </summary>
internal static class JUnitReport
{
    public static void Write(CheckRun run, TextWriter output)
    {
        var suites = run.Results.GroupBy(r => r.Source).Select(file =>
        {
            var cases = file.Select(Case).ToList();
            return new XElement(
                "testsuite",
                new XAttribute("name", file.Key),
                new XAttribute("tests", cases.Count),
                new XAttribute("failures", file.Count(r => !r.Result.Allowed)),
                new XAttribute("errors", 0),
                new XAttribute("skipped", 0),
                cases);
        }).ToList();
        if (run.Errors.Count > 0)
        {
            suites.Add(new XElement(
                "testsuite",
                new XAttribute("name", "unreadable input"),
                new XAttribute("tests", run.Errors.Count),
                new XAttribute("failures", 0),
                new XAttribute("errors", run.Errors.Count),
                new XAttribute("skipped", 0),
                run.Errors.Select(e => new XElement(
                    "testcase",
                    new XAttribute("classname", "policywebhook.input"),
                    new XAttribute("name", e),
                    new XElement("error", new XAttribute("message", e), new XAttribute("type", "unreadable"))))));
        }

        var root = new XElement(
            "testsuites",
            new XAttribute("name", "policywebhook check"),
            new XAttribute("tests", run.Results.Count + run.Errors.Count),
            new XAttribute("failures", run.Results.Count(r => !r.Result.Allowed)),
            new XAttribute("errors", run.Errors.Count),
            suites);
        output.WriteLine(new XDocument(new XDeclaration("1.0", "utf-8", null), root).ToString());
    }

    private static XElement Case(ObjectResult item)
    {
        var result = item.Result;
        var element = new XElement(
            "testcase",
            new XAttribute("classname", item.Source),
            new XAttribute("name", $"{result.Kind} \"{result.Name}\" {TextReport.NamespaceText(result.Namespace)} (line {item.Line.ToString(CultureInfo.InvariantCulture)})"),
            new XAttribute("file", item.Source),
            new XAttribute("line", item.Line));
        var lines = TextReport.InObjectOrder(item).Select(v => $"[{v.Mode}] {VerdictText.Line(v)} (line {item.LineOf(v.Path).ToString(CultureInfo.InvariantCulture)}; found: {v.Found}; required: {v.Required})").ToList();
        if (!result.Allowed)
        {
            element.Add(new XElement(
                "failure",
                new XAttribute("message", $"{result.Kind} \"{result.Name}\" would be denied: {result.InMode(PolicyMode.Enforce).Count()} violations"),
                new XAttribute("type", "denied"),
                string.Join('\n', lines)));
        }
        else if (lines.Count > 0)
        {
            element.Add(new XElement("system-out", string.Join('\n', lines)));
        }

        return element;
    }
}
