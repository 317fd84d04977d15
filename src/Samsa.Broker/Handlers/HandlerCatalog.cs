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
        new FindCoordinatorHandler(cluster),
        new JoinGroupHandler(cluster),
        new SyncGroupHandler(cluster),
        new HeartbeatHandler(cluster),
        new LeaveGroupHandler(cluster),
        new OffsetCommitHandler(cluster),
        new OffsetFetchHandler(cluster),
        new ListGroupsHandler(cluster),
        new DescribeGroupsHandler(cluster),
        new DeleteGroupsHandler(cluster),
        new CreateTopicsHandler(cluster),
        new DeleteTopicsHandler(cluster),
        new CreatePartitionsHandler(cluster),
        new DescribeClusterHandler(cluster),
        new DescribeConfigsHandler(cluster),
        new OffsetForLeaderEpochHandler(cluster),
        new DeleteRecordsHandler(cluster),
        new AddPartitionsToTxnHandler(cluster),
        new AddOffsetsToTxnHandler(cluster),
        new TxnOffsetCommitHandler(cluster),
        new EndTxnHandler(cluster),
    ];
}
