using System.Text;
using AckFc.AlibabaCloud.Signing;
using CsCheck;

namespace AckFc.AlibabaCloud.Tests.Signing;

public sealed class AcsV3SignerPropertyTests
{
    private const string Unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";

    // Any Unicode scalar value, weighted towards ASCII where the reserved characters live.
    private static readonly Gen<string> AnyText = Gen.Frequency(
            (3, Gen.Char[' ', '~'].Select(c => c.ToString())),
            (1, Gen.Int[0x80, 0xD7FF].Select(char.ConvertFromUtf32)),
            (1, Gen.Int[0xE000, 0x10FFFF].Select(char.ConvertFromUtf32)))
        .Array[0, 24]
        .Select(parts => string.Concat(parts));

    [Fact]
    public void PercentEncode_AnyString_RoundTripsAndEmitsOnlyUnreservedOrPercentTriplets() =>
        AnyText.Sample(text =>
        {
            var encoded = AcsV3Signer.PercentEncode(text);

            Assert.Equal(text, Uri.UnescapeDataString(encoded));
            for (var i = 0; i < encoded.Length; i++)
            {
                if (encoded[i] == '%')
                {
                    Assert.True(i + 2 < encoded.Length, encoded);
                    Assert.True(Uri.IsHexDigit(encoded[i + 1]) && Uri.IsHexDigit(encoded[i + 2]), encoded);
                    Assert.False(char.IsLower(encoded[i + 1]) || char.IsLower(encoded[i + 2]), encoded);
                    i += 2;
                }
                else
                {
                    Assert.Contains(encoded[i], Unreserved);
                }
            }
        });

    [Fact]
    public void PercentEncode_UnreservedOnly_Unchanged() =>
        Gen.Char[Unreserved].Array[0, 30].Select(c => new string(c)).Sample(text => Assert.Equal(text, AcsV3Signer.PercentEncode(text)));

    [Fact]
    public void EncodePath_AnySegments_EachSegmentRecoverable() =>
        AnyText.Where(s => s.Length > 0).Array[1, 5].Sample(segments =>
        {
            var path = AcsV3Signer.EncodePath(segments);

            Assert.Equal(segments, path[1..].Split('/').Select(Uri.UnescapeDataString));
        });

    [Fact]
    public void CanonicalQuery_AnyOrder_SameCanonicalForm() =>
        Gen.Select(AnyText, AnyText, (k, v) => new KeyValuePair<string, string>(k, v)).Array[0, 8]
            .Select(Gen.Int, (pairs, seed) => (pairs, seed))
            .Sample(sample =>
            {
                var shuffled = sample.pairs.ToArray();
                new Random(sample.seed).Shuffle(shuffled);

                Assert.Equal(AcsV3Signer.CanonicalQuery(sample.pairs), AcsV3Signer.CanonicalQuery(shuffled));
            });

    [Fact]
    public void CanonicalQueryFromRaw_EncodedQuery_EqualsCanonicalOfTheParameters() =>
        Gen.Select(AnyText, AnyText, (k, v) => new KeyValuePair<string, string>(k, v)).Array[1, 6].Sample(pairs =>
        {
            var raw = string.Join('&', pairs.Select(p => AcsV3Signer.PercentEncode(p.Key) + "=" + AcsV3Signer.PercentEncode(p.Value)));

            Assert.Equal(AcsV3Signer.CanonicalQuery(pairs), AcsV3Signer.CanonicalQueryFromRaw(raw));
        });

    [Fact]
    public void PercentEncode_Utf8Bytes_OneTripletPerNonUnreservedByte() =>
        AnyText.Sample(text =>
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            var expectedLength = bytes.Sum(b => Unreserved.Contains((char)b, StringComparison.Ordinal) && b < 128 ? 1 : 3);

            Assert.Equal(expectedLength, AcsV3Signer.PercentEncode(text).Length);
        });
}
