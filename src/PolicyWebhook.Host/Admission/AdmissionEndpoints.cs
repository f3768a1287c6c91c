using System.Buffers;
using Microsoft.Extensions.Options;

namespace PolicyWebhook.Host.Admission;

/// <summary>
/// <c>POST /validate</c>, <c>POST /mutate</c> and <c>POST /validate-policy</c>: read the review (415, 413 and 400 for bad input), run the
/// pipeline, write the answer. An unexpected exception answers 500 for that request only.
/// </summary>
public static partial class AdmissionEndpoints
{
    public static IEndpointRouteBuilder MapAdmissionEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        // Resolved once, not per request: the hot path binds no parameters.
        var services = endpoints.ServiceProvider;
        var pipeline = new Lazy<AdmissionPipeline>(services.GetRequiredService<AdmissionPipeline>);
        var options = services.GetRequiredService<IOptions<AdmissionOptions>>().Value;
        var loggers = services.GetRequiredService<ILoggerFactory>();
        var images = services.GetService<Images.ImageVerificationStep>();
        endpoints.MapPost("/validate", context => HandleAsync(context, pipeline.Value.Validate, options, loggers, images));
        endpoints.MapPost("/mutate", context => HandleAsync(context, pipeline.Value.Mutate, options, loggers, images));
        endpoints.MapPost("/validate-policy", context => HandleAsync(context, pipeline.Value.ValidatePolicy, options, loggers));
        return endpoints;
    }

    /// <summary>Reads, handles and answers one review.</summary>
    public static async Task HandleAsync(HttpContext context, AdmissionHandler handler, AdmissionOptions options, ILoggerFactory loggers, Images.ImageVerificationStep? images = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        ParsedReview? review;
        ReadProblem? problem;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted))
        {
            deadline.CancelAfter(options.BodyReadTimeout);
            try
            {
                (review, problem) = await AdmissionReviewReader.ReadAsync(context.Request, options.MaxRequestBodyBytes, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
            {
                (review, problem) = (null, new ReadProblem(StatusCodes.Status408RequestTimeout, $"the body did not arrive within {options.BodyReadTimeout.TotalSeconds:0} s") { CloseConnection = true });
            }
        }

        if (problem is not null)
        {
            // HTTP/2 ends only the stream; an HTTP/1.1 connection whose body was not read to its end cannot go on.
            if (problem.CloseConnection && !HttpProtocol.IsHttp2(context.Request.Protocol) && !HttpProtocol.IsHttp3(context.Request.Protocol))
            {
                context.Response.Headers.Connection = "close";
            }

            await WriteProblemAsync(context, problem.Status, problem.Message).ConfigureAwait(false);
            return;
        }

        using (review)
        {
            var request = review!.Request;
            var answer = new ArrayBufferWriter<byte>(1024);
            try
            {
                if (images is not null)
                {
                    request.Timeout = context.Request.Query["timeout"].ToString();
                    await images.PrepareAsync(request, context.RequestAborted).ConfigureAwait(false);
                }

                handler(request).Response.WriteReview(answer, request.ApiVersion, request.Uid);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The caller gave up first (the API server's own timeout, or a closed connection): nobody reads an
                // answer, and nothing went wrong here. Said once, as a warning: a webhook slower than its callers' timeout.
                LogAbandoned(loggers.CreateLogger("PolicyWebhook.Admission"), request.Uid, request.Kind, request.Namespace ?? "", request.Name ?? "");
                return;
            }
            catch (Exception e)
            {
                // Only this request fails. The exception's message is neither sent nor logged: it may quote the object.
                LogUnexpected(loggers.CreateLogger("PolicyWebhook.Admission"), e.GetType().FullName ?? "Exception", e.StackTrace ?? "", request.Uid, request.Kind, request.Namespace ?? "", request.Name ?? "");
                await WriteProblemAsync(context, StatusCodes.Status500InternalServerError, $"PolicyWebhook failed on request {request.Uid}; the webhook's log has the details").ConfigureAwait(false);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = answer.WrittenCount;
            await context.Response.Body.WriteAsync(answer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static Task WriteProblemAsync(HttpContext context, int status, string message)
    {
        var text = System.Text.Encoding.UTF8.GetBytes(message + "\n");
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.ContentLength = text.Length;
        return context.Response.Body.WriteAsync(text, context.RequestAborted).AsTask();
    }

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Request {Uid} ({Kind} {Namespace}/{Name}) was abandoned by its caller before it was answered; if the API server timed out, its failurePolicy decided")]
    private static partial void LogAbandoned(ILogger logger, string uid, string kind, string Namespace, string name);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Unexpected {ErrorType} on request {Uid} ({Kind} {Namespace}/{Name}); answered 500\n{StackTrace}")]
    private static partial void LogUnexpected(ILogger logger, string errorType, string stackTrace, string uid, string kind, string Namespace, string name);
}
