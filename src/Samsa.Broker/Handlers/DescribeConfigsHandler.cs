using System.Globalization;
using Samsa.Broker.Network;
using Samsa.Broker.State;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// DescribeConfigs v0-4 for topics (type 2) and brokers (type 4): the configs this cluster
/// actually honours or reports, with defaults marked as such. Other resource types get
/// INVALID_REQUEST.
/// </summary>
internal sealed class DescribeConfigsHandler(EmbeddedCluster cluster) : ApiHandler<DescribeConfigsRequest, DescribeConfigsResponse>
{
    private const sbyte TopicResource = 2;
    private const sbyte BrokerResource = 4;
    private const sbyte DynamicTopicConfig = 1;
    private const sbyte StaticBrokerConfig = 4;
    private const sbyte DefaultConfig = 5;

    private static readonly (string Name, string Value, sbyte Type)[] s_topicDefaults =
    [
        ("cleanup.policy", "delete", 7),
        ("compression.type", "producer", 2),
        ("max.message.bytes", "1048588", 3),
        ("message.timestamp.type", "CreateTime", 2),
        ("min.insync.replicas", "1", 3),
        ("retention.bytes", "-1", 5),
        ("retention.ms", "604800000", 5),
        ("segment.bytes", "1073741824", 3),
    ];

    protected override ValueTask<DescribeConfigsResponse?> HandleRequestAsync(RequestContext context, DescribeConfigsRequest request, CancellationToken cancellationToken)
    {
        short version = context.ApiVersion;
        var response = new DescribeConfigsResponse();
        foreach (var resource in request.Resources)
        {
            var result = new DescribeConfigsResponse.DescribeConfigsResult { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName, ErrorMessage = null };
            List<(string Name, string? Value, bool IsDefault, sbyte Type)>? entries = null;
            if (resource.ResourceType == TopicResource)
            {
                var topic = cluster.State.Find(resource.ResourceName);
                if (topic is null)
                {
                    result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    result.ErrorMessage = $"Topic '{resource.ResourceName}' does not exist.";
                }
                else
                {
                    entries = TopicEntries(topic);
                }
            }
            else if (resource.ResourceType == BrokerResource)
            {
                if (resource.ResourceName.Length > 0 && (!int.TryParse(resource.ResourceName, CultureInfo.InvariantCulture, out int id) || !cluster.BrokerIds.Contains(id)))
                {
                    result.ErrorCode = (short)ErrorCode.InvalidRequest;
                    result.ErrorMessage = $"Broker '{resource.ResourceName}' is not part of the cluster.";
                }
                else
                {
                    entries = BrokerEntries();
                }
            }
            else
            {
                result.ErrorCode = (short)ErrorCode.InvalidRequest;
                result.ErrorMessage = $"Resource type {resource.ResourceType} is not supported by the embedded cluster (topics and brokers are).";
            }
            foreach (var (name, value, isDefault, type) in entries ?? [])
            {
                if (resource.ConfigurationKeys is { Count: > 0 } keys && !keys.Contains(name))
                {
                    continue;
                }
                var entry = new DescribeConfigsResponse.DescribeConfigsResourceResult { Name = name, Value = value };
                if (version == 0)
                {
                    entry.IsDefault = isDefault;
                }
                else
                {
                    sbyte source = isDefault ? DefaultConfig : resource.ResourceType == TopicResource ? DynamicTopicConfig : StaticBrokerConfig;
                    entry.ConfigSource = source;
                    if (request.IncludeSynonyms)
                    {
                        entry.Synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym { Name = name, Value = value, Source = source });
                    }
                }
                if (version >= 3)
                {
                    entry.ConfigType = type;
                    entry.Documentation = null;
                }
                result.Configs.Add(entry);
            }
            response.Results.Add(result);
        }
        return new(response);
    }

    private static List<(string, string?, bool, sbyte)> TopicEntries(TopicState topic)
    {
        var list = new List<(string, string?, bool, sbyte)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value, type) in s_topicDefaults)
        {
            bool set = topic.Configs.TryGetValue(name, out var configured);
            list.Add((name, set ? configured : value, !set, type));
            names.Add(name);
        }
        foreach (var (name, value) in topic.Configs)
        {
            if (names.Add(name))
            {
                list.Add((name, value, false, 2));
            }
        }
        list.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return list;
    }

    private List<(string, string?, bool, sbyte)> BrokerEntries()
    {
        var o = cluster.Options;
        return
        [
            ("auto.create.topics.enable", o.AutoCreateTopics ? "true" : "false", false, 1),
            ("default.replication.factor", cluster.DefaultReplicationFactor.ToString(CultureInfo.InvariantCulture), false, 3),
            ("group.initial.rebalance.delay.ms", ((long)o.GroupInitialRebalanceDelay.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), false, 3),
            ("group.max.session.timeout.ms", ((long)o.GroupMaxSessionTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), false, 3),
            ("group.min.session.timeout.ms", ((long)o.GroupMinSessionTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), false, 3),
            ("max.incremental.fetch.session.cache.slots", o.FetchSessionCacheSize.ToString(CultureInfo.InvariantCulture), false, 3),
            ("message.max.bytes", o.MaxMessageBytes.ToString(CultureInfo.InvariantCulture), false, 3),
            ("num.partitions", o.DefaultPartitions.ToString(CultureInfo.InvariantCulture), false, 3),
        ];
    }

    protected override DescribeConfigsResponse CreateErrorResponse(DescribeConfigsRequest request, short version, ErrorCode error)
    {
        var response = new DescribeConfigsResponse();
        foreach (var r in request.Resources)
        {
            response.Results.Add(new DescribeConfigsResponse.DescribeConfigsResult { ResourceType = r.ResourceType, ResourceName = r.ResourceName, ErrorCode = (short)error, ErrorMessage = null });
        }
        return response;
    }
}
