namespace Samsa.Client.Configuration;

/// <summary>
/// One row of a <see cref="ConfigDef"/>: a Kafka property name, its type, default and validator.
/// </summary>
/// <param name="Name">The Kafka property name, e.g. <c>request.timeout.ms</c>.</param>
/// <param name="Type">How the string form is parsed.</param>
/// <param name="DefaultValue">The parsed default (Java's default), or null when the key has none.</param>
/// <param name="Documentation">One line for the generated reference page.</param>
/// <param name="Validator">Returns an error text (without the key name) for a bad parsed value, or null.</param>
public sealed record ConfigKey(
    string Name,
    ConfigType Type,
    object? DefaultValue,
    string Documentation,
    Func<object?, string?>? Validator = null)
{
    /// <summary>True when the key has no default and must be given.</summary>
    public bool Required { get; init; }
}
