namespace Samsa.Broker.Handlers;

/// <summary>Every API handler the embedded cluster serves.</summary>
internal static class HandlerCatalog
{
    public static IEnumerable<ApiHandler> Create(EmbeddedCluster cluster) =>
    [
        new ApiVersionsHandler(cluster),
    ];
}
