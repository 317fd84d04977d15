namespace Samsa.Client.Configuration;

/// <summary>What the client does when no known broker is reachable (<c>metadata.recovery.strategy</c>, KIP-899).</summary>
public enum MetadataRecoveryStrategy
{
    /// <summary><c>rebootstrap</c> (default since Kafka 4.0): fall back to the bootstrap servers.</summary>
    Rebootstrap,
    /// <summary><c>none</c>: keep retrying the brokers from the last metadata.</summary>
    None,
}
