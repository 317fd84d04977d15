namespace Samsa.Client.Network;

/// <summary>A connection that closed during a poll, and why (null when the peer closed it cleanly).</summary>
/// <param name="Id">The connection (node id).</param>
/// <param name="Cause">The failure, when there was one.</param>
public readonly record struct ChannelDisconnect(int Id, Exception? Cause);
