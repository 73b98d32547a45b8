using AckFc.AlibabaCloud.Http;

namespace AckFc.AlibabaCloud.Signing;

/// <summary>
/// Puts the V3 headers and the Authorization on a request message. Run once per attempt: every attempt gets
/// its own <c>x-acs-date</c> and <c>x-acs-signature-nonce</c>, so a retry is never a replay.
/// </summary>
internal sealed class AcsRequestSigner(TimeProvider time)
{
    public const string DateHeader = "x-acs-date";
    public const string NonceHeader = "x-acs-signature-nonce";

    public void Sign(HttpRequestMessage message, AcsCall call)
    {
        var headers = message.Headers;
        foreach (var name in headers.Select(h => h.Key).Where(n => n.StartsWith("x-acs-", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            headers.Remove(name);
        }

        headers.Authorization = null;

        var request = call.Request;
        var credentials = call.Credentials;
        var signed = new List<KeyValuePair<string, string>>(10)
        {
            new("host", call.HostHeader),
            new("x-acs-action", request.Action),
            new("x-acs-version", request.Service.Version()),
            new(DateHeader, AcsV3Signer.FormatDate(time.GetUtcNow())),
            new(NonceHeader, AcsV3Signer.NewNonce()),
            new("x-acs-content-sha256", call.PayloadHash),
        };
        if (credentials.SecurityToken is { } token)
        {
            signed.Add(new("x-acs-accesskey-id", credentials.AccessKeyId));
            signed.Add(new("x-acs-security-token", token));
        }

        headers.Host = call.HostHeader;
        foreach (var (name, value) in signed.Skip(1))
        {
            headers.TryAddWithoutValidation(name, value);
        }

        if (message.Content?.Headers.ContentType is { } contentType)
        {
            signed.Add(new("content-type", contentType.ToString()));
        }

        var signature = AcsV3Signer.Sign(
            request.Method.Method, call.CanonicalUri, call.CanonicalQuery, signed, call.PayloadHash, credentials.AccessKeySecret);
        // Added unparsed so the value goes on the wire byte for byte as signed.
        headers.TryAddWithoutValidation("Authorization", signature.AuthorizationHeader(credentials.AccessKeyId));
    }
}

/// <summary>
/// Signs every attempt. It sits inside the resilience handler, so retries pass through it again and are re-signed.
/// </summary>
internal sealed class AcsSigningHandler(AcsRequestSigner signer) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var call = AcsCall.Of(request)
            ?? throw new InvalidOperationException("The Alibaba Cloud HTTP client only sends requests built by AcsTransport.");
        signer.Sign(request, call);
        return base.SendAsync(request, cancellationToken);
    }
}
