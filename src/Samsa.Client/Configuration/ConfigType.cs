namespace Samsa.Client.Configuration;

/// <summary>The value type of a configuration key (Java's ConfigDef.Type).</summary>
public enum ConfigType
{
    /// <summary>"true" or "false".</summary>
    Boolean,
    /// <summary>A 32-bit integer.</summary>
    Int,
    /// <summary>A 64-bit integer.</summary>
    Long,
    /// <summary>A floating-point number.</summary>
    Double,
    /// <summary>Any string.</summary>
    String,
    /// <summary>A comma-separated list of strings.</summary>
    List,
    /// <summary>A secret string, never printed.</summary>
    Password,
}
