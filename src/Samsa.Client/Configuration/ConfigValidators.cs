using System.Globalization;

namespace Samsa.Client.Configuration;

/// <summary>Validators for <see cref="ConfigKey"/> rows (Java's ConfigDef.Range / ValidString).</summary>
public static class ConfigValidators
{
    /// <summary>The value must be at least <paramref name="min"/>.</summary>
    public static Func<object?, string?> AtLeast(long min) => value => value switch
    {
        int i when i < min => string.Create(CultureInfo.InvariantCulture, $"must be at least {min}"),
        long l when l < min => string.Create(CultureInfo.InvariantCulture, $"must be at least {min}"),
        _ => null,
    };

    /// <summary>The value must lie within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Func<object?, string?> Between(long min, long max) => value => value switch
    {
        int i when i < min || i > max => string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max}"),
        long l when l < min || l > max => string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max}"),
        _ => null,
    };

    /// <summary>The value must be one of <paramref name="allowed"/> (case-insensitive).</summary>
    public static Func<object?, string?> OneOf(params string[] allowed) => value =>
    {
        if (value is not string s)
            return null;
        foreach (var a in allowed)
        {
            if (string.Equals(a, s, StringComparison.OrdinalIgnoreCase))
                return null;
        }
        return "must be one of " + string.Join(", ", allowed);
    };

    /// <summary>The list must have at least one entry.</summary>
    public static Func<object?, string?> NonEmptyList() => value =>
        value is IReadOnlyList<string> { Count: > 0 } ? null : "must list at least one entry";
}
