using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using Samsa.Client.Errors;
using Samsa.Client.Metadata;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Primitives;

namespace Samsa.Client.Network;

// The requests NetworkClient makes for itself: ApiVersions on every new connection, and Metadata
// for the default metadata updater.
public sealed partial class NetworkClient
{
    private static short ApiVersionsRequestHighestVersion => ApiVersionsRequest.HighestVersion;

    private ClientRequest NewApiVersionsRequest(int nodeId, short version)
    {
        var body = new ApiVersionsRequest();
        if (version >= 3)
        {
            body.ClientSoftwareName = ClientSoftwareName;
            body.ClientSoftwareVersion = ClientSoftwareVersion;
        }
        return NewRequest<ApiVersionsRequest, ApiVersionsResponse>(nodeId, body, null, null, true, null, version, version, isInternal: true);
    }

    /// <summary>
    /// Reads an ApiVersions response. A broker that does not know the request version answers
    /// UNSUPPORTED_VERSION with a v0 body listing the versions it does support (KIP-511).
    /// librdkafka's mock cluster (2.0.x) instead writes the entry count as one unsigned varint
    /// without the +1 of compact arrays; that form is accepted too. When neither parses, the
    /// result lists nothing and the client falls back to v0, as Java's client does.
    /// </summary>
    internal static ApiVersionsResponse ReadApiVersionsResponse(ref KafkaReader reader, short version)
    {
        var span = reader.RemainingSpan;
        if (version == 0 || span.Length < 2 || BinaryPrimitives.ReadInt16BigEndian(span) != (short)ErrorCode.UnsupportedVersion)
            return ApiVersionsResponse.Read(ref reader, version);
        try
        {
            var v0 = new KafkaReader(span);
            return ApiVersionsResponse.Read(ref v0, 0);
        }
        catch (Protocol.Errors.KafkaProtocolException)
        {
        }
        var response = new ApiVersionsResponse { ErrorCode = (short)ErrorCode.UnsupportedVersion };
        try
        {
            var lenient = new KafkaReader(span);
            lenient.ReadInt16();
            var count = lenient.ReadUnsignedVarInt();
            if (count <= (uint)(lenient.Remaining / 6))
            {
                for (var i = 0; i < count; i++)
                {
                    response.ApiKeys.Add(new ApiVersionsResponse.ApiVersion
                    {
                        ApiKey = lenient.ReadInt16(),
                        MinVersion = lenient.ReadInt16(),
                        MaxVersion = lenient.ReadInt16(),
                    });
                }
            }
        }
        catch (Protocol.Errors.KafkaProtocolException)
        {
            response.ApiKeys.Clear();
        }
        return response;
    }

    private void HandleApiVersionsResponse(ClientRequest request, long nowMs, IKafkaResponse body)
    {
        var response = (ApiVersionsResponse)body;
        var nodeId = request.Destination;
        var error = (ErrorCode)response.ErrorCode;
        if (error != ErrorCode.None)
        {
            if (request.Version == 0 || error != ErrorCode.UnsupportedVersion)
            {
                _log.LogWarning("{Prefix}Received error {Error} from node {NodeId} when making an ApiVersionsRequest with correlation id {CorrelationId}. Disconnecting.",
                    _logPrefix, error, nodeId, request.CorrelationId);
                CloseWithError(nodeId, nowMs, new KafkaConnectionException(
                    $"{_logPrefix}ApiVersions to node {nodeId} failed with {error}", null, error) { NodeId = nodeId, Address = AddressOf(nodeId) });
                return;
            }
            // Since Kafka 2.4 the error response lists the ApiVersions range; older brokers send
            // nothing and get v0.
            short max = 0;
            foreach (var key in response.ApiKeys)
            {
                if ((short)key.ApiKey == (short)ApiKey.ApiVersions)
                    max = (short)key.MaxVersion;
            }
            max = Math.Min(max, ApiVersionsRequest.HighestVersion);
            if (max >= request.Version)
                max = (short)(request.Version - 1);
            _log.LogDebug("{Prefix}Node {NodeId} does not support ApiVersions v{Version}; retrying at v{Retry}", _logPrefix, nodeId, request.Version, max);
            _nodesNeedingApiVersionsFetch[nodeId] = max;
            return;
        }
        var entries = new List<(short, short, short)>(response.ApiKeys.Count);
        foreach (var key in response.ApiKeys)
            entries.Add(((short)key.ApiKey, (short)key.MinVersion, (short)key.MaxVersion));
        var versions = new NodeApiVersions(entries);
        _apiVersions.Update(nodeId, versions);
        _connectionStates.Ready(nodeId);
        _log.LogDebug("{Prefix}Node {NodeId} ({Address}) is ready; ApiVersions v{Version}, API versions: {Versions}", _logPrefix, nodeId, AddressOf(nodeId), request.Version, versions);
    }

    internal void SendInternalMetadataRequest(int nodeId, MetadataRequestTarget target, long nowMs)
    {
        var request = NewRequest<MetadataRequest, MetadataResponse>(nodeId, null, v => BuildMetadataRequest(target, v), null, true, null, null, null, isInternal: true);
        DoSend(request, true, nowMs);
    }

    /// <summary>
    /// A Metadata request for the target at a version. "All topics" is an empty list in v0 and
    /// null from v1; AllowAutoTopicCreation exists from v4 (older brokers use their own config).
    /// </summary>
    internal static MetadataRequest BuildMetadataRequest(MetadataRequestTarget target, short version)
    {
        var request = new MetadataRequest();
        if (target.Topics is null)
        {
            request.Topics = version == 0 ? [] : null;
        }
        else
        {
            var topics = new List<MetadataRequest.MetadataRequestTopic>(target.Topics.Count);
            foreach (var name in target.Topics)
                topics.Add(new MetadataRequest.MetadataRequestTopic { Name = name });
            request.Topics = topics;
        }
        if (version >= 4)
            request.AllowAutoTopicCreation = target.AllowAutoTopicCreation;
        return request;
    }
}
