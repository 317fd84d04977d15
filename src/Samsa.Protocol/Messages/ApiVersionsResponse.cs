using Samsa.Protocol.Errors;
using Samsa.Protocol.Primitives;

namespace Samsa.Protocol.Messages;

/// <summary>The ApiVersions quirk: an unsupported request version is answered with a v0 body.</summary>
public sealed partial class ApiVersionsResponse
{
    /// <summary>
    /// Reads an ApiVersions response body sent for a request of <paramref name="requestVersion"/>.
    /// A broker that does not support that version answers UNSUPPORTED_VERSION with a version 0 body
    /// (KIP-511) listing its ranges, so like Java's <c>ApiVersionsResponse.parse</c> this falls back to
    /// version 0 when the body does not parse (or leaves bytes over) at the requested version.
    /// </summary>
    /// <exception cref="KafkaProtocolException">The body parses at neither version.</exception>
    public static ApiVersionsResponse ReadWithFallback(ReadOnlyMemory<byte> body, short requestVersion)
    {
        ApiVersionsResponse? first = null;
        KafkaProtocolException? firstError = null;
        var reader = new KafkaReader(body);
        try
        {
            first = Read(ref reader, requestVersion);
            if (reader.Remaining == 0 || requestVersion == 0)
                return first;
        }
        catch (KafkaProtocolException e) when (requestVersion != 0)
        {
            firstError = e;
        }
        try
        {
            var v0 = new KafkaReader(body);
            var fallback = Read(ref v0, 0);
            if (v0.Remaining == 0 || first is null)
                return fallback;
        }
        catch (KafkaProtocolException) when (first is not null || firstError is not null)
        {
            // Keep the first outcome below: it says more about what the broker meant.
        }
        return first ?? throw firstError!;
    }
}
