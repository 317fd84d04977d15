using Samsa.Broker.Handlers;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Primitives;
using Samsa.Testing;

namespace Samsa.Broker.Tests;

public class HandlerCatalogTests
{
    private static IKafkaMessage NewRequest(ApiHandler handler)
    {
        var type = handler.GetType();
        while (type is not null && !(type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ApiHandler<,>)))
        {
            type = type.BaseType;
        }
        return type is null ? new ApiVersionsRequestBody() : (IKafkaMessage)Activator.CreateInstance(type.GetGenericArguments()[0])!;
    }

    [Fact]
    public async Task Every_handler_error_response_is_writable_at_every_version()
    {
        await using var cluster = await EmbeddedCluster.StartAsync();
        foreach (var handler in HandlerCatalog.Create(cluster))
        {
            var request = NewRequest(handler);
            for (short v = handler.MinVersion; v <= handler.MaxVersion; v++)
            {
                var response = handler.ErrorResponse(request, v, ErrorCode.NotLeaderOrFollower);
                using var buffer = new ByteBufferWriter();
                var writer = new KafkaWriter(buffer);
                try
                {
                    response.Write(ref writer, v);
                }
                catch (Exception e)
                {
                    Assert.Fail($"{handler.Key} v{v} error response: {e.Message}");
                }
            }
        }
    }

    [Fact]
    public async Task Each_api_is_served_by_one_handler()
    {
        await using var cluster = await EmbeddedCluster.StartAsync();
        var keys = HandlerCatalog.Create(cluster).Select(h => h.Key).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal(keys.Count, cluster.Handlers.Advertised().Count);
    }

    [Fact]
    public async Task Every_handler_answers_a_default_request_at_every_version()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = ["t"] });
        foreach (var handler in HandlerCatalog.Create(cluster))
        {
            if (NewRequest(handler) is not IKafkaRequest request || handler.Key == ApiKey.Produce)
            {
                continue; // ApiVersions is hand-written and tested on its own; a default Produce is acks=0 (no answer)
            }
            await using var conn = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
            for (short v = handler.MinVersion; v <= handler.MaxVersion; v++)
            {
                try
                {
                    var frame = await conn.SendAndReceiveAsync(KafkaFrame.EncodeRequest(request, v, conn.NextCorrelationId()));
                    var (_, _, body) = KafkaFrame.DecodeResponse(handler.Key, v, frame);
                    Assert.Equal(handler.Key, body.ApiKey);
                }
                catch (Exception e) when (e is IOException or Samsa.Protocol.Errors.KafkaProtocolException)
                {
                    Assert.Fail($"{handler.Key} v{v}: {e.Message}");
                }
            }
        }
    }
}
