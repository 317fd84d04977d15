using Samsa.Protocol;

namespace Samsa.Client.Network;

/// <summary>
/// Version caps for brokers whose newest version of an API is known to be broken, applied wherever
/// a request version is chosen (NetworkClient and the admin client) so every caller follows one rule.
/// </summary>
internal static class BrokerVersionQuirks
{
    /// <summary>
    /// The highest version to use for <paramref name="api"/> given the broker's newest
    /// <paramref name="brokerMax"/>. Brokers whose newest ListOffsets is v4 or v5 (Kafka 2.1-2.7,
    /// librdkafka 2.0.2's mock cluster) are asked at v3: v4/v5 only add the leader epoch, and the
    /// mock writes that epoch as 8 bytes, misaligning every later partition of the response.
    /// </summary>
    public static short CapVersion(ApiKey api, short brokerMax) =>
        api == ApiKey.ListOffsets && brokerMax is 4 or 5 ? (short)3 : brokerMax;
}
