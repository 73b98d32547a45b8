using System.Text;
using AckFc.AlibabaCloud.Signing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace AckFc.Local.Emulator;

/// <summary>
/// The one terminal middleware of the emulator: admin requests go to <see cref="AdminApi"/>; everything else is an
/// emulated API request, read whole, signature-checked, exposed to faults, answered, logged and counted.
/// </summary>
internal sealed class EmulatorMiddleware(
    EmulatorState state, SignatureVerifier verifier, CsApi cs, KmsApi kms, AdminApi admin, ILogger logger, OssApi? oss = null)
{
    private const int MaxBodyBytes = 1024 * 1024;
    private const string ContentType = "application/json;charset=utf-8";
    private const string NotFoundMessage = "Specified api is not found, please check your url and method.";

    private readonly StsApi _sts = new(state);
    private readonly ResourceManagerApi _resourceManager = new(state);

    public async Task InvokeAsync(HttpContext context)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.ToString();
        if (rawTarget.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || rawTarget.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            rawTarget = new Uri(rawTarget).PathAndQuery;
        }

        if (rawTarget.StartsWith(AdminApi.Prefix, StringComparison.Ordinal))
        {
            await admin.HandleAsync(context).ConfigureAwait(false);
            return;
        }

        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = question < 0 ? rawTarget : rawTarget[..question];
        var rawQuery = question < 0 ? "" : rawTarget[(question + 1)..];
        if (oss is not null && OssApi.IsOssRequest(context.Request, rawQuery))
        {
            await oss.HandleAsync(context, rawPath, rawQuery).ConfigureAwait(false);
            return;
        }

        var segments = rawPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        var host = context.Request.Headers.Host.ToString();
        var product = segments.Length == 0 ? RpcProduct(host, context.Request.Headers["x-acs-version"].ToString()) : Product.Cs;
        var requestId = Guid.NewGuid().ToString("D").ToUpperInvariant();
        var method = context.Request.Method;
        var ct = context.RequestAborted;

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in AcsV3Signer.ParseRawQuery(rawQuery))
        {
            parameters[name] = value;
        }

        var action = product == Product.Cs
            ? CsApi.Route(method, segments) ?? rawPath
            : context.Request.Headers["x-acs-action"].ToString() is { Length: > 0 } header ? header : parameters.GetValueOrDefault("Action") ?? "(no action)";
        string? region = null;
        VerifiedCaller? caller = null;
        ApiRequest? request = null;
        var body = Array.Empty<byte>();
        string? errorMessage = null;
        ApiResponse response;
        try
        {
            body = await ReadBodyAsync(context.Request, ct).ConfigureAwait(false);
            if (product != Product.Cs && context.Request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
            {
                foreach (var (name, value) in AcsV3Signer.ParseRawQuery(Encoding.UTF8.GetString(body).Replace('+', ' ')))
                {
                    parameters[name] = value;
                }

                if (context.Request.Headers["x-acs-action"].Count == 0 && parameters.TryGetValue("Action", out var formAction))
                {
                    action = formAction;
                }
            }

            region = ResolveRegion(product, parameters, host);
            var profile = state.Faults.IsEmpty ? null : state.Faults.For(action, rawTarget);
            if (profile is not null && profile.LatencyMilliseconds + profile.JitterMilliseconds > 0)
            {
                var delay = profile.LatencyMilliseconds + (profile.JitterMilliseconds > 0 ? state.Faults.NextInt(profile.JitterMilliseconds) : 0);
                await Task.Delay(delay, ct).ConfigureAwait(false);
            }

            caller = verifier.Verify(context.Request, rawPath, rawQuery, body);
            CheckVersion(product, context.Request.Headers["x-acs-version"].ToString());
            var known = product switch
            {
                Product.Cs => CsApi.Route(method, segments) is not null,
                Product.Sts => StsApi.Knows(action),
                Product.ResourceManager => ResourceManagerApi.Knows(action),
                _ => KmsApi.Knows(action),
            };
            if (!known)
            {
                throw new ApiException(404, "InvalidAction.NotFound", NotFoundMessage);
            }

            // A member's STS credentials see that member's resources; every other credential is the management account's.
            var account = caller.MemberAccountId ?? state.AccountId;
            if (caller.Session is not null && product is Product.Cs or Product.Kms && state.TakeApiThrottle(account))
            {
                EmulatorLog.FaultInjected(logger, action, "throttled (account " + account + ")");
                throw new ApiException(400, "Throttling.User", "Request was denied due to user flow control.");
            }

            if (profile is not null)
            {
                if (state.Faults.Throttle(action, profile, state.Time.GetUtcNow()) is { } retryAfter)
                {
                    EmulatorLog.FaultInjected(logger, action, "throttled");
                    throw new ApiException(profile.ThrottleStatusCode, "Throttling.User", "Request was denied due to user flow control.")
                    {
                        RetryAfterMilliseconds = retryAfter,
                    };
                }

                if (profile.ServiceUnavailableRate > 0 && state.Faults.NextDouble() < profile.ServiceUnavailableRate)
                {
                    EmulatorLog.FaultInjected(logger, action, "503");
                    throw new ApiException(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.");
                }

                if (profile.TakeFailure())
                {
                    EmulatorLog.FaultInjected(logger, action, profile.FailErrorCode);
                    throw new ApiException(profile.FailStatusCode, profile.FailErrorCode, $"{profile.FailErrorCode} (injected by the AckFc emulator).");
                }

                if (profile.HangRate > 0 && state.Faults.NextDouble() < profile.HangRate)
                {
                    EmulatorLog.FaultInjected(logger, action, "hang");
                    await HangAsync(context, profile.HangMilliseconds).ConfigureAwait(false);
                    Record(product, action, region, method, rawTarget, 0, "Hang", requestId, caller);
                    return;
                }
            }

            request = new ApiRequest
            {
                Context = context,
                Product = product,
                Action = action,
                Method = method,
                RawTarget = rawTarget,
                Segments = segments,
                Parameters = parameters,
                Body = body,
                RequestId = requestId,
                HostId = host,
                Now = state.Time.GetUtcNow(),
                RegionId = region,
                AccountId = account,
            };
            response = product switch
            {
                Product.Cs => cs.Handle(request),
                Product.Sts => _sts.Handle(request, caller),
                Product.ResourceManager => _resourceManager.Handle(request, caller),
                _ => kms.Handle(request),
            };
            region = request.RegionId;
            if (profile is not null)
            {
                response = Corrupt(response, profile, action);
            }
        }
        catch (ApiException ex)
        {
            errorMessage = ex.Message;
            response = new ApiResponse(ex.Status, Json.Error(product, ex.Status, ex.Code, ex.Message, requestId, host), ex.Code, ex.RetryAfterMilliseconds);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Record(product, action, region, method, rawTarget, 0, "ClientGaveUp", requestId, caller);
            return;
        }
#pragma warning disable CA1031 // An emulator bug must still answer like the cloud does (500), not drop the connection.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            EmulatorLog.Failure(logger, ex, action);
            errorMessage = "The request processing has failed due to some unknown error.";
            response = new ApiResponse(500, Json.Error(product, 500, "InternalError", "The request processing has failed due to some unknown error.", requestId, host), "InternalError");
        }

        context.Response.StatusCode = response.Status;
        context.Response.ContentType = ContentType;
        context.Response.Headers["x-acs-request-id"] = requestId;
        if (response.RetryAfterMilliseconds is { } ms)
        {
            context.Response.Headers["x-acs-retry-after"] = ms.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        context.Response.ContentLength = response.Body.Length;
        Record(product, action, region, method, rawTarget, response.Status, response.ErrorCode, requestId, caller, request?.AccountId ?? AccountFromArn(product, parameters));
        if (caller is not null && WriteCallEvents.IsWrite(product, action))
        {
            // Queued before the answer is written, posted in the background: the answer never waits for a sink.
            var failed = response.Status >= 400;
            state.Events.Emit(ActionTrailEvent.Build(
                WriteCallEvents.ForApiCall(state, context, product, action, region ?? request?.RegionId, request?.ResourceId, parameters, segments, body,
                    requestId, caller, failed ? response.ErrorCode : null, failed ? errorMessage : null),
                state.Time.GetUtcNow()));
        }
        await context.Response.Body.WriteAsync(response.Body, ct).ConfigureAwait(false);
    }

    private void Record(Product product, string action, string? region, string method, string target, int status, string? code, string requestId, VerifiedCaller? caller, string? account = null)
    {
        account ??= caller is null ? null : caller.MemberAccountId ?? state.AccountId;
        state.Record(new CallRecord(state.Time.GetUtcNow(), NameOf(product), action, region, method, target, status, code, requestId, caller?.AccessKeyId, account));
        EmulatorLog.Answered(logger, NameOf(product), action, region ?? "-", status, code ?? "", requestId);
    }

    private static string NameOf(Product product) => product switch
    {
        Product.Cs => "CS",
        Product.Sts => "STS",
        Product.ResourceManager => "ResourceManager",
        _ => "KMS",
    };

    /// <summary>
    /// Which RPC product a request on <c>/</c> addresses: the host's first label when it names one
    /// (<c>sts.cn-hangzhou.aliyuncs.com</c>, <c>resourcemanager.aliyuncs.com</c>), else the API version the
    /// request declares, else KMS. One URL thus serves every product, as with CS and KMS.
    /// </summary>
    internal static Product RpcProduct(string host, string version)
    {
        var first = host.Split(':')[0].Split('.')[0];
        return first switch
        {
            "sts" or "sts-vpc" => Product.Sts,
            "resourcemanager" or "resourcemanager-vpc" => Product.ResourceManager,
            "kms" or "kms-vpc" => Product.Kms,
            _ => version switch
            {
                StsApi.Version => Product.Sts,
                ResourceManagerApi.Version => Product.ResourceManager,
                _ => Product.Kms,
            },
        };
    }

    // A refused AssumeRole is still about the role's account (the admin counts AssumeRole calls per account).
    private static string? AccountFromArn(Product product, Dictionary<string, string> parameters)
    {
        if (product != Product.Sts || parameters.GetValueOrDefault("RoleArn") is not { } arn || !arn.StartsWith("acs:ram::", StringComparison.Ordinal))
        {
            return null;
        }

        var end = arn.IndexOf(':', 9);
        return end > 9 ? arn[9..end] : null;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        // Chunked bodies have no Content-Length: read to the end whatever the framing.
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw new ApiException(413, "RequestEntityTooLarge", $"The request body is larger than {MaxBodyBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private string? ResolveRegion(Product product, Dictionary<string, string> parameters, string host)
    {
        var named = product switch
        {
            Product.Kms => parameters.GetValueOrDefault("RegionId"),
            Product.Cs => parameters.GetValueOrDefault("region_id"),
            _ => null,
        };
        if (!string.IsNullOrEmpty(named))
        {
            if (product == Product.Kms && !state.Regions.Contains(named))
            {
                throw new ApiException(400, "InvalidRegionId", $"The specified region {named} is not served by this emulator ({string.Join(", ", state.Regions)}).");
            }

            return named;
        }

        // kms.cn-hangzhou.aliyuncs.com, cs.cn-hangzhou.example: any label of the host name that names a served region.
        var hostName = host.Split(':')[0];
        lock (state.Gate)
        {
            foreach (var label in hostName.Split('.'))
            {
                if (state.RegionsUnlocked.Contains(label))
                {
                    return label;
                }
            }
        }

        return null;
    }

    private static void CheckVersion(Product product, string version)
    {
        var expected = product switch
        {
            Product.Cs => CsApi.Version,
            Product.Sts => StsApi.Version,
            Product.ResourceManager => ResourceManagerApi.Version,
            _ => KmsApi.Version,
        };
        if (version.Length > 0 && version != expected)
        {
            throw new ApiException(400, "InvalidVersion", $"Specified parameter Version '{version}' is not valid: {NameOf(product)} is {expected}.");
        }
    }

    private static async Task HangAsync(HttpContext context, int milliseconds)
    {
        try
        {
            await Task.Delay(milliseconds, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client gave up, which is the point of a hang.
        }

        context.Abort();
    }

    private ApiResponse Corrupt(ApiResponse response, FaultProfile profile, string action)
    {
        if (response.Status is < 200 or >= 300)
        {
            return response;
        }

        if (profile.TruncatedBodyRate > 0 && state.Faults.NextDouble() < profile.TruncatedBodyRate)
        {
            EmulatorLog.FaultInjected(logger, action, "truncated body");
            return response with { Body = response.Body[..(response.Body.Length / 2)], ErrorCode = "TruncatedBody" };
        }

        if (profile.MalformedBodyRate > 0 && state.Faults.NextDouble() < profile.MalformedBodyRate)
        {
            EmulatorLog.FaultInjected(logger, action, "malformed body");
            return response with { Body = "{\"RequestId\": <<malformed JSON injected by the AckFc emulator>>"u8.ToArray(), ErrorCode = "MalformedBody" };
        }

        return response;
    }
}
