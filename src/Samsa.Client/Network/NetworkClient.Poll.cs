using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Client.Configuration;
using Samsa.Client.Errors;
using Samsa.Client.Metadata;
using Samsa.Protocol;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Primitives;

namespace Samsa.Client.Network;

// The handlers Poll runs after each I/O poll, in the order of seed 000: completed sends, completed
// receives, disconnections, new connections, timed-out connections and requests, then callbacks.
public sealed partial class NetworkClient
{
    private void HandleCompletedSends(long nowMs)
    {
        foreach (var send in _selector.CompletedSends)
        {
            var request = send.Request;
            RecycleSend(send);
            if (request is null)
                continue;
            request.SendCompleted = true;
            if (!request.ExpectResponse && _inFlightRequests.Remove(request))
                _responses.Add(new ClientResponse(request, nowMs, null));
        }
    }

    private void HandleCompletedReceives(long nowMs)
    {
        foreach (var receive in _selector.CompletedReceives)
        {
            var nodeId = receive.Source;
            if (_closedThisPoll.Contains(nodeId))
            {
                ReturnFrameLater(receive);
                continue;
            }
            var request = _inFlightRequests.PeekNext(nodeId);
            while (request is not null && !request.ExpectResponse)
            {
                // A response to a later request proves this one was written.
                _inFlightRequests.CompleteNext(nodeId);
                _responses.Add(new ClientResponse(request, nowMs, null));
                request = _inFlightRequests.PeekNext(nodeId);
            }
            if (request is null)
            {
                _log.LogError("{Prefix}Received a response from node {NodeId} with no request in flight; closing the connection", _logPrefix, nodeId);
                CloseWithError(nodeId, nowMs, new KafkaProtocolException($"Unexpected response from node {nodeId}: no request in flight"));
                ReturnFrameLater(receive);
                continue;
            }

            var reader = new KafkaReader(receive.Payload);
            if (reader.Remaining < 4)
            {
                CloseWithError(nodeId, nowMs, new KafkaProtocolException($"Response of {receive.Length} bytes from node {nodeId} is too short for a header"));
                ReturnFrameLater(receive);
                continue;
            }
            var correlationId = reader.ReadInt32();
            if (correlationId != request.CorrelationId)
            {
                _log.LogError("{Prefix}Correlation id for response ({ResponseCorrelationId}) does not match request ({RequestCorrelationId}), request: {Request}; closing the connection to node {NodeId}",
                    _logPrefix, correlationId, request.CorrelationId, request, nodeId);
                CloseWithError(nodeId, nowMs, new KafkaProtocolException(
                    $"Correlation id for response ({correlationId}) does not match request ({request.CorrelationId}) from node {nodeId}"));
                ReturnFrameLater(receive);
                continue;
            }
            _inFlightRequests.CompleteNext(nodeId);

            IKafkaResponse body;
            try
            {
                // ApiVersions responses always use header v0, so a broker that does not know the
                // request version can still answer it (KIP-511).
                if (request.ApiKey != ApiKey.ApiVersions && request.Version >= request.ResponseFlexibleFrom)
                    SkipTaggedFields(ref reader);
                body = request.ApiKey == ApiKey.ApiVersions && request.IsInternalRequest
                    ? ReadApiVersionsResponse(ref reader, request.Version)
                    : request.ResponseReader(ref reader, request.Version);
            }
            catch (Exception e) when (e is KafkaException or ArgumentException or InvalidOperationException or OverflowException)
            {
                if (!reader.SharesMemory)
                    ReturnFrameLater(receive);
                var error = ExceptionFactory.BadResponse(_clientId, nodeId, request.ApiKey, request.Version, e);
                _log.LogError(e, "{Error}", error.Message);
                if (request.IsInternalRequest)
                {
                    if (request.ApiKey == ApiKey.Metadata)
                        _metadataUpdater.HandleFailedRequest(nowMs, error);
                    else
                        CloseWithError(nodeId, nowMs, error);
                }
                else
                {
                    _responses.Add(new ClientResponse(request, nowMs, null, error: error));
                }
                continue;
            }

            // A Fetch body's records are slices of the frame: such a frame belongs to the response now.
            if (!reader.SharesMemory)
                ReturnFrameLater(receive);
            if (request.IsInternalRequest && request.ApiKey == ApiKey.Metadata)
                _metadataUpdater.HandleSuccessfulResponse(request, nowMs, body);
            else if (request.IsInternalRequest && request.ApiKey == ApiKey.ApiVersions)
                HandleApiVersionsResponse(request, nowMs, body);
            else
            {
                var response = new ClientResponse(request, nowMs, body);
                if (reader.SharesMemory && receive.IsPooled)
                    response.OfferSharedPooledFrame(receive.Buffer);
                _responses.Add(response);
            }
        }
    }

    /// <summary>Queues a pooled frame nothing refers to any more; returned once callbacks have run.</summary>
    private void ReturnFrameLater(in NetworkReceive receive)
    {
        if (receive.IsPooled)
            _pooledFrames.Add(receive.Buffer);
    }

    private void ReturnPooledFrames()
    {
        foreach (var frame in _pooledFrames)
            ArrayPool<byte>.Shared.Return(frame);
        _pooledFrames.Clear();
    }

    private static void SkipTaggedFields(ref KafkaReader reader)
    {
        var count = reader.ReadUnsignedVarInt();
        for (var i = 0u; i < count; i++)
        {
            var (_, size) = reader.ReadTagHeader();
            reader.Skip(size);
        }
    }

    private void CloseWithError(int nodeId, long nowMs, KafkaException cause)
    {
        _selector.Close(nodeId);
        _closedThisPoll.Add(nodeId);
        ProcessDisconnection(nodeId, nowMs, cause, timedOut: false);
    }

    private void HandleDisconnections(long nowMs)
    {
        foreach (var (nodeId, cause) in _selector.Disconnected)
        {
            if (_closedThisPoll.Contains(nodeId))
                continue;
            _log.LogInformation("{Prefix}Node {NodeId} disconnected{Reason}", _logPrefix, nodeId, cause is null ? "" : ": " + cause.Message);
            ProcessDisconnection(nodeId, nowMs, cause, timedOut: false);
        }
    }

    private void ProcessDisconnection(int nodeId, long nowMs, Exception? cause, bool timedOut)
    {
        var previous = _connectionStates.ConnectionStateOf(nodeId);
        if (_connectionStates.Contains(nodeId))
            _connectionStates.Disconnected(nodeId, nowMs);
        _apiVersions.Remove(nodeId);
        _nodesNeedingApiVersionsFetch.Remove(nodeId);
        if (previous == ConnectionState.Connecting)
        {
            _log.LogWarning("{Prefix}Connection to node {NodeId} ({Address}) could not be established. Node may not be available.{Reason}",
                _logPrefix, nodeId, AddressOf(nodeId), cause is null ? "" : " " + cause.Message);
        }
        CancelInFlightRequests(nodeId, nowMs, _responses, timedOut, cause);
        _metadataUpdater.HandleServerDisconnect(nowMs, nodeId);
    }

    private void CancelInFlightRequests(int nodeId, long nowMs, List<ClientResponse> responses, bool timedOut, Exception? cause)
    {
        _inFlightRequests.ClearAll(nodeId, _scratchRequests);
        foreach (var request in _scratchRequests)
        {
            _log.LogDebug("{Prefix}Cancelled in-flight {Request} due to node {NodeId} being disconnected (elapsed time since creation: {SinceCreation} ms, since send: {SinceSend} ms, request timeout: {Timeout} ms)",
                _logPrefix, request, nodeId, nowMs - request.CreatedTimeMs, request.TimeElapsedSinceSendMs(nowMs), request.RequestTimeoutMs);
            if (!request.IsInternalRequest)
            {
                KafkaException error = timedOut
                    ? ExceptionFactory.TimedOut(_clientId, nodeId, AddressOf(nodeId), request.ApiKey, request.Version, request.RequestTimeoutMs)
                    : ExceptionFactory.Disconnected(_clientId, nodeId, AddressOf(nodeId), request.ApiKey, request.Version, cause);
                responses.Add(new ClientResponse(request, nowMs, null, disconnected: true, timedOut: timedOut, error: error));
            }
            else if (request.ApiKey == ApiKey.Metadata)
            {
                _metadataUpdater.HandleFailedRequest(nowMs, null);
            }
        }
        _scratchRequests.Clear();
    }

    private void HandleConnections()
    {
        foreach (var nodeId in _selector.Connected)
        {
            if (_discoverBrokerVersions)
            {
                _nodesNeedingApiVersionsFetch[nodeId] = ApiVersionsRequestHighestVersion;
                _log.LogDebug("{Prefix}Completed connection to node {NodeId} ({Address}). Fetching API versions.", _logPrefix, nodeId, AddressOf(nodeId));
            }
            else
            {
                _connectionStates.Ready(nodeId);
                _log.LogDebug("{Prefix}Completed connection to node {NodeId} ({Address}). Ready.", _logPrefix, nodeId, AddressOf(nodeId));
            }
        }
    }

    private void HandleInitiateApiVersionRequests(long nowMs)
    {
        if (_nodesNeedingApiVersionsFetch.Count == 0)
            return;
        _scratchNodes.Clear();
        foreach (var (nodeId, version) in _nodesNeedingApiVersionsFetch)
        {
            if (!_selector.IsChannelReady(nodeId) || !_inFlightRequests.CanSendMore(nodeId))
                continue;
            _log.LogDebug("{Prefix}Initiating API versions fetch from node {NodeId} at v{Version}.", _logPrefix, nodeId, version);
            // Enter CHECKING_API_VERSIONS only once the request is queued, so a connection that never
            // becomes writable stays under the connection setup timeout.
            _connectionStates.CheckingApiVersions(nodeId);
            DoSend(NewApiVersionsRequest(nodeId, version), true, nowMs);
            _scratchNodes.Add(nodeId);
        }
        foreach (var nodeId in _scratchNodes)
            _nodesNeedingApiVersionsFetch.Remove(nodeId);
        _scratchNodes.Clear();
    }

    private void HandleTimedOutConnections(long nowMs)
    {
        if (_connectionStates.ConnectingNodeCount == 0)
            return;
        _scratchNodes.Clear();
        _connectionStates.NodesWithConnectionSetupTimeout(nowMs, _scratchNodes);
        foreach (var nodeId in _scratchNodes)
        {
            _selector.Close(nodeId);
            _log.LogInformation("{Prefix}Disconnecting from node {NodeId} ({Address}) due to socket connection setup timeout. The timeout value is {TimeoutMs} ms.",
                _logPrefix, nodeId, AddressOf(nodeId), _connectionStates.ConnectionSetupTimeoutMs(nodeId));
            _closedThisPoll.Add(nodeId);
            ProcessDisconnection(nodeId, nowMs, new TimeoutException("socket connection setup timeout"), timedOut: true);
        }
        _scratchNodes.Clear();
    }

    private void HandleTimedOutRequests(long nowMs)
    {
        if (_inFlightRequests.Count == 0)
            return;
        _scratchNodes.Clear();
        _inFlightRequests.NodesWithTimedOutRequests(nowMs, _scratchNodes);
        foreach (var nodeId in _scratchNodes)
        {
            _selector.Close(nodeId);
            _log.LogInformation("{Prefix}Disconnecting from node {NodeId} ({Address}) due to request timeout.", _logPrefix, nodeId, AddressOf(nodeId));
            _closedThisPoll.Add(nodeId);
            ProcessDisconnection(nodeId, nowMs, null, timedOut: true);
        }
        _scratchNodes.Clear();
    }

    private void CompleteResponses()
    {
        foreach (var response in _responses)
        {
            try
            {
                response.OnComplete();
            }
            catch (Exception e)
            {
                _log.LogError(e, "{Prefix}Uncaught error in request completion of {Request}", _logPrefix, response.Request);
            }
        }
        // Parsed bodies copy what they keep (strings, byte arrays), so after the callbacks nothing
        // refers to these frames any more.
        if (_pooledFrames.Count > 0)
            ReturnPooledFrames();
    }
}
