namespace PolicyWebhook.Host.Server;

/// <summary>
/// Keeps the two ports apart by the port a connection arrived on (not the Host header, which a client chooses):
/// metrics and health only on the plain-HTTP management port, admission only on the HTTPS port.
/// </summary>
public static class ManagementPortSplit
{
    private static readonly PathString[] ManagementPaths = ["/metrics", "/healthz", "/readyz"];

    public static IApplicationBuilder UseManagementPortSplit(this IApplicationBuilder app, int managementPort)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Use((context, next) =>
        {
            var onManagementPort = context.Connection.LocalPort == managementPort;
            var managementPath = IsManagementPath(context.Request.Path);
            if (onManagementPort != managementPath)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });
    }

    /// <summary>True when <paramref name="path"/> is served on the management port.</summary>
    public static bool IsManagementPath(PathString path) => Array.Exists(ManagementPaths, p => path.StartsWithSegments(p));
}
