using System.Globalization;
using Samsa.Protocol;
using Samsa.Protocol.Errors;

namespace Samsa.Client.Errors;

/// <summary>
/// Builds client exceptions in one place (SE.Redis's ExceptionFactory) so every message carries the
/// same context: client id, broker, API and version.
/// </summary>
public static class ExceptionFactory
{
    /// <summary>The connection to the node broke while the request was outstanding.</summary>
    public static KafkaConnectionException Disconnected(string clientId, int nodeId, string? address, ApiKey api, short version, Exception? cause)
        => new(string.Create(CultureInfo.InvariantCulture,
                $"[Client clientId={clientId}] Connection to node {nodeId}{At(address)} was lost before {api} v{version} got a response{Because(cause)}"),
            cause)
        { NodeId = nodeId, Address = address };

    /// <summary>The request got no response within its timeout; the connection was closed.</summary>
    public static KafkaConnectionException TimedOut(string clientId, int nodeId, string? address, ApiKey api, short version, long timeoutMs)
        => new(string.Create(CultureInfo.InvariantCulture,
                $"[Client clientId={clientId}] {api} v{version} to node {nodeId}{At(address)} got no response within {timeoutMs} ms (request.timeout.ms); the connection was closed"),
            null, ErrorCode.RequestTimedOut)
        { NodeId = nodeId, Address = address };

    /// <summary>Connecting to the node failed.</summary>
    public static KafkaConnectionException ConnectFailed(string clientId, int nodeId, string? address, Exception? cause)
        => new(string.Create(CultureInfo.InvariantCulture,
                $"[Client clientId={clientId}] Could not connect to node {nodeId}{At(address)}{Because(cause)}"), cause)
        { NodeId = nodeId, Address = address };

    /// <summary>The broker supports no version of the API that Samsa (or the caller) can use.</summary>
    public static KafkaException UnsupportedVersion(string clientId, int nodeId, ApiKey api, short ourMin, short ourMax, short brokerMin, short brokerMax)
        => new(ErrorCode.UnsupportedVersion, string.Create(CultureInfo.InvariantCulture,
            $"[Client clientId={clientId}] Node {nodeId} supports {api} v{brokerMin}-v{brokerMax} but this request needs v{ourMin}-v{ourMax}"));

    /// <summary>The broker does not support the API at all.</summary>
    public static KafkaException UnsupportedApi(string clientId, int nodeId, ApiKey api)
        => new(ErrorCode.UnsupportedVersion, string.Create(CultureInfo.InvariantCulture,
            $"[Client clientId={clientId}] Node {nodeId} does not support {api} (not listed in its ApiVersions response)"));

    /// <summary>A response that could not be parsed.</summary>
    public static KafkaProtocolException BadResponse(string clientId, int nodeId, ApiKey api, short version, Exception cause)
        => new(string.Create(CultureInfo.InvariantCulture,
            $"[Client clientId={clientId}] Could not parse {api} v{version} response from node {nodeId}: {cause.Message}"), cause);

    private static string At(string? address) => address is null ? "" : " (" + address + ")";

    private static string Because(Exception? cause) => cause is null ? "" : ": " + cause.Message;
}
