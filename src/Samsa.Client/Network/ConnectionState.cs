namespace Samsa.Client.Network;

/// <summary>The state of the connection to one broker (Java's ConnectionState).</summary>
public enum ConnectionState
{
    /// <summary>No connection; a new one may be opened once the reconnect backoff has passed.</summary>
    Disconnected,
    /// <summary>TCP connect in progress.</summary>
    Connecting,
    /// <summary>Connected; the ApiVersions exchange has not finished yet.</summary>
    CheckingApiVersions,
    /// <summary>Connected and versions known: requests may be sent.</summary>
    Ready,
}
