using AckFc.AlibabaCloud.Oss;
using CsCheck;

namespace AckFc.AlibabaCloud.Tests.Oss;

public sealed class OssV4SignerPropertyTests
{
    private const string UnreservedAndSlash = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~/";

    // Object keys: any Unicode scalar value, weighted towards the characters that trip encoders up.
    private static readonly Gen<string> AnyKey = Gen.Frequency(
            (4, Gen.OneOf<string>(" ", "+", "%", "/", "?", "#", "&", "=", ";", "*", "~", "%2B", "%20", "'", "(", ")", "!")),
            (3, Gen.Char[' ', '~'].Select(c => c.ToString())),
            (1, Gen.Int[0x80, 0xD7FF].Select(char.ConvertFromUtf32)),
            (1, Gen.Int[0xE000, 0x10FFFF].Select(char.ConvertFromUtf32)))
        .Array[1, 24]
        .Select(parts => string.Concat(parts));

    [Fact]
    public void CanonicalUri_AnyKey_RoundTripsAndKeepsOnlySlashesUnencoded() =>
        AnyKey.Sample(key =>
        {
            var uri = OssV4Signer.CanonicalUri("ackfc-reports", key);

            Assert.Equal("/ackfc-reports/" + key, Uri.UnescapeDataString(uri));
            for (var i = 0; i < uri.Length; i++)
            {
                if (uri[i] == '%')
                {
                    Assert.True(Uri.IsHexDigit(uri[i + 1]) && Uri.IsHexDigit(uri[i + 2]) && !char.IsLower(uri[i + 1]) && !char.IsLower(uri[i + 2]), uri);
                    i += 2;
                }
                else
                {
                    Assert.Contains(uri[i], UnreservedAndSlash);
                }
            }
        });

    [Fact]
    public void Query_AnyValue_RoundTripsThroughTheWireAndCanonicalisesTheSameOnBothSides() =>
        Gen.Select(AnyKey, AnyKey).Sample((prefix, token) =>
        {
            KeyValuePair<string, string?>[] sent = [new("list-type", "2"), new("prefix", prefix), new("continuation-token", token)];
            var wire = OssV4Signer.EncodeQuery(sent);

            var received = OssV4Signer.ParseRawQuery(wire).ToList();

            Assert.Equal(sent, received);
            Assert.Equal(OssV4Signer.CanonicalQuery(sent), OssV4Signer.CanonicalQuery(received));
        });

    [Fact]
    public void Signature_AnyKey_VerifiesFromWhatTheServerReceives() =>
        AnyKey.Sample(key =>
        {
            KeyValuePair<string, string>[] headers = [new("x-oss-date", "20261201T120000Z"), new("x-oss-content-sha256", OssV4Signer.UnsignedPayload)];
            var client = OssV4Signer.SignHeaders("PUT", "b", key, [], headers, null, "cn-hangzhou", "secret");

            // The server sees the path as sent (virtual-hosted: /{key}) and rebuilds /{bucket}/{key} from its decoded form.
            var path = OssV4Signer.UriEncode("/" + key, keepSlash: true);
            var serverKey = Uri.UnescapeDataString(path[1..]);
            var server = OssV4Signer.Sign("PUT", OssV4Signer.CanonicalUri("b", serverKey), string.Empty, headers, [], "20261201T120000Z", "cn-hangzhou", "secret");

            Assert.Equal(key, serverKey);
            Assert.Equal(client.Signature, server.Signature);
        });
}
