using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace PolicyWebhook.Provenance.Registry;

/// <summary>
/// Answers a registry's 401 challenge: Basic with the docker config's credentials, or Bearer with a token from the
/// challenge's realm (asked for <c>repository:&lt;repo&gt;:pull</c>, with the credentials when there are some). Tokens
/// are cached per registry and scope until <c>expires_in</c>; registries that asked for Basic get it up front after.
/// </summary>
internal sealed class RegistryAuthenticator(RegistryHttp http, RegistryOptions options, DockerConfigCredentials credentials, TimeProvider time)
{
    private const int DefaultTokenSeconds = 60; // the token specification's default when expires_in is absent
    private const int EarlySeconds = 5; // renew a little before expiry, so a token does not lapse in flight
    private const int PruneAbove = 256; // a token per repository: drop the expired ones once there are many

    private static readonly string[] TokenFields = ["token", "access_token"];

    private readonly ConcurrentDictionary<(string Registry, string Scope), (AuthenticationHeaderValue Header, DateTimeOffset Until)> _tokens = new();
    private readonly ConcurrentDictionary<string, bool> _basicRegistries = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>What to send before any challenge: a token still valid, or Basic for a registry that asked for it.</summary>
    public AuthenticationHeaderValue? Known(RegistryCall call)
    {
        if (_tokens.TryGetValue((call.Registry, call.Scope), out var token) && token.Until > time.GetUtcNow())
        {
            return token.Header;
        }

        return _basicRegistries.ContainsKey(call.Registry) && credentials.Find(call.Registry) is { } credential
            ? new AuthenticationHeaderValue("Basic", credential.Basic)
            : null;
    }

    /// <summary>The Authorization that answers <paramref name="unauthorized"/>'s challenge.</summary>
    public async Task<AuthenticationHeaderValue> AnswerAsync(RegistryCall call, HttpResponseMessage unauthorized, CancellationToken cancellationToken)
    {
        _tokens.TryRemove((call.Registry, call.Scope), out _);
        var credential = credentials.Find(call.Registry);
        var challenges = unauthorized.Headers.NonValidated.TryGetValues("WWW-Authenticate", out var values) ? values.ToList() : [];
        if (challenges.Select(c => AuthChallenge.Parse(c)).FirstOrDefault(c => c?.Scheme == "bearer") is { } bearer)
        {
            return await TokenAsync(call, bearer, credential, cancellationToken).ConfigureAwait(false);
        }

        if (challenges.Any(c => AuthChallenge.Parse(c)?.Scheme == "basic"))
        {
            _basicRegistries[call.Registry] = true;
            return credential is not null ? new AuthenticationHeaderValue("Basic", credential.Basic) : throw NoCredentials(call);
        }

        throw new RegistryUnavailableException($"registry {call.Registry} answered 401 Unauthorized for {call.Subject} with no Bearer or Basic challenge");
    }

    /// <summary>The refusal when the registry answers 401 again to the Authorization it asked for.</summary>
    public RegistryUnavailableException Refused(RegistryCall call, AuthenticationHeaderValue authorization)
    {
        _tokens.TryRemove((call.Registry, call.Scope), out _);
        var user = credentials.Find(call.Registry)?.Username;
        return authorization.Scheme == "Bearer"
            ? new($"registry {call.Registry} answered 401 Unauthorized for {call.Subject} even with the token its token service issued"
                + (user is null ? " anonymously" : $" to user {user}"))
            : new($"registry {call.Registry} refused the credentials of user {user} for {call.Subject}: 401 Unauthorized");
    }

    private async Task<AuthenticationHeaderValue> TokenAsync(RegistryCall call, AuthChallenge bearer, RegistryCredential? credential, CancellationToken cancellationToken)
    {
        var tokenCall = call with { What = "token" };
        if (!bearer.Parameters.TryGetValue("realm", out var realmText) || !Uri.TryCreate(realmText, UriKind.Absolute, out var realm)
            || (realm.Scheme != Uri.UriSchemeHttps && !(realm.Scheme == Uri.UriSchemeHttp && options.IsInsecure(call.Registry))))
        {
            throw new RegistryUnavailableException(
                $"registry {call.Registry} sent a Bearer challenge for {call.Subject} whose realm is not an HTTPS URL: {realmText ?? "none"}");
        }

        var query = (bearer.Parameters.TryGetValue("service", out var service) ? $"service={Uri.EscapeDataString(service)}&" : string.Empty)
            + $"scope={Uri.EscapeDataString(call.Scope)}";
        var uri = new UriBuilder(realm) { Query = string.IsNullOrEmpty(realm.Query) ? query : realm.Query[1..] + "&" + query }.Uri;
        var basic = credential is null ? null : new AuthenticationHeaderValue("Basic", credential.Basic);
        using var response = await http.GetAsync(tokenCall, uri, "application/json", basic, u => SameServer(u, realm), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw credential is null
                ? NoCredentials(call)
                : new RegistryUnavailableException(
                    $"the token service of registry {call.Registry} ({realm.Authority}) refused the credentials of user {credential.Username} for {call.Subject}: {RegistryHttp.Status(response)}");
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new RegistryUnavailableException(
                $"the token service of registry {call.Registry} ({realm.Authority}) answered {RegistryHttp.Status(response)} for {call.Subject}");
        }

        var body = await RegistryHttp.ReadAsync(tokenCall, response, options.MaxManifestBytes,
            $"the token of registry {call.Registry} for {call.Repository} is over the {RegistryHttp.Size(options.MaxManifestBytes)} cap", cancellationToken).ConfigureAwait(false);
        var (token, seconds) = ReadToken(body) ?? throw new RegistryUnavailableException(
            $"the token service of registry {call.Registry} ({realm.Authority}) answered {call.Repository} with no token");
        var header = new AuthenticationHeaderValue("Bearer", token);
        var now = time.GetUtcNow();
        if (_tokens.Count >= PruneAbove)
        {
            foreach (var expired in _tokens.Where(t => t.Value.Until <= now))
            {
                _tokens.TryRemove(expired.Key, out _);
            }
        }

        _tokens[(call.Registry, call.Scope)] = (header, now.AddSeconds(Math.Max(1, seconds - EarlySeconds)));
        return header;
    }

    private static (string Token, int Seconds)? ReadToken(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var token = TokenFields
                .Select(name => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null)
                .FirstOrDefault(t => !string.IsNullOrEmpty(t));
            var seconds = root.TryGetProperty("expires_in", out var expires) && expires.TryGetInt32(out var s) && s > 0 ? s : DefaultTokenSeconds;
            return token is null ? null : (token, seconds);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static RegistryUnavailableException NoCredentials(RegistryCall call) =>
        new($"registry {call.Registry} needs credentials for {call.Subject} and none were given for it");

    private static bool SameServer(Uri a, Uri b) =>
        Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
}
