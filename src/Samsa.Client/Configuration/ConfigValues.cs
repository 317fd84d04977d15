namespace Samsa.Client.Configuration;

/// <summary>Typed values parsed by <see cref="ConfigDef.Parse"/>, defaults filled in.</summary>
public sealed class ConfigValues
{
    private readonly Dictionary<string, object?> _values;
    private readonly HashSet<string> _given;

    internal ConfigValues(Dictionary<string, object?> values, HashSet<string> given)
    {
        _values = values;
        _given = given;
    }

    /// <summary>True when the key was given explicitly rather than defaulted.</summary>
    public bool WasGiven(string name) => _given.Contains(name);

    /// <summary>The raw typed value.</summary>
    public object? Get(string name) => _values.TryGetValue(name, out var v) ? v : throw new KeyNotFoundException($"Configuration property '{name}' is not defined.");

    /// <summary>An Int value.</summary>
    public int GetInt(string name) => (int)Get(name)!;

    /// <summary>A Long value.</summary>
    public long GetLong(string name) => Get(name) switch { long l => l, int i => i, var v => throw new InvalidCastException($"{name} is {v?.GetType().Name}") };

    /// <summary>A Long value in milliseconds, as a TimeSpan.</summary>
    public TimeSpan GetMillis(string name) => TimeSpan.FromMilliseconds(GetLong(name));

    /// <summary>A Boolean value.</summary>
    public bool GetBoolean(string name) => (bool)Get(name)!;

    /// <summary>A Double value.</summary>
    public double GetDouble(string name) => (double)Get(name)!;

    /// <summary>A String or Password value.</summary>
    public string? GetString(string name) => (string?)Get(name);

    /// <summary>A List value.</summary>
    public IReadOnlyList<string> GetList(string name) => (IReadOnlyList<string>?)Get(name) ?? [];
}
