namespace Samsa.Broker.Handlers;

/// <summary>Every API handler the embedded cluster serves.</summary>
internal static class HandlerCatalog
{
    public static IEnumerable<ApiHandler> Create(EmbeddedCluster cluster) =>
    [
        new ApiVersionsHandler(cluster),
        new MetadataHandler(cluster),
        new ProduceHandler(cluster),
        new FetchHandler(cluster),
        new ListOffsetsHandler(cluster),
        new InitProducerIdHandler(cluster),
    ];
}
