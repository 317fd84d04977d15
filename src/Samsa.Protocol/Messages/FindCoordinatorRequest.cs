namespace Samsa.Protocol.Messages;

/// <summary>The FindCoordinator quirk: one key before v4, a list of keys from v4 (KIP-699).</summary>
public sealed partial class FindCoordinatorRequest
{
    /// <summary>Key type of a consumer group coordinator lookup.</summary>
    public const sbyte GroupKeyType = 0;

    /// <summary>Key type of a transaction coordinator lookup.</summary>
    public const sbyte TransactionKeyType = 1;

    /// <summary>
    /// A lookup of one coordinator key that can be written at <paramref name="version"/>: the
    /// <see cref="Key"/> field below v4, <see cref="CoordinatorKeys"/> from v4 on (Java's
    /// FindCoordinatorRequest.Builder does the same). Version 0 only knows group coordinators.
    /// </summary>
    public static FindCoordinatorRequest ForKey(string key, sbyte keyType, short version)
    {
        ArgumentNullException.ThrowIfNull(key);
        return version >= 4
            ? new FindCoordinatorRequest { KeyType = keyType, CoordinatorKeys = [key] }
            : new FindCoordinatorRequest { Key = key, KeyType = keyType };
    }
}
