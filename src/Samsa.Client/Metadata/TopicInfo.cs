using Samsa.Protocol;

namespace Samsa.Client.Metadata;

/// <summary>Topic-level facts from a metadata response.</summary>
/// <param name="Name">The topic name.</param>
/// <param name="TopicId">The topic id (KIP-516), <see cref="Guid.Empty"/> before Metadata v10.</param>
/// <param name="IsInternal">True for internal topics such as __consumer_offsets.</param>
/// <param name="Error">The topic-level error (e.g. UnknownTopicOrPartition, LeaderNotAvailable).</param>
public sealed record TopicInfo(string Name, Guid TopicId, bool IsInternal, ErrorCode Error);
