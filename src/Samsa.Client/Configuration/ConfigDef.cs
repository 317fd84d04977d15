using System.Globalization;

namespace Samsa.Client.Configuration;

/// <summary>
/// A table of configuration keys (Java's ConfigDef). Parses string properties (the CLI's
/// <c>-X key=value</c>, tests, config files) into typed values, rejecting unknown keys and values
/// that do not parse, with errors that name the property ("linger.ms requires an integer value").
/// Producer and consumer definitions extend the common client table with <see cref="ConfigDef(ConfigDef)"/>.
/// </summary>
public sealed class ConfigDef
{
    private readonly Dictionary<string, ConfigKey> _keys = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>Creates an empty definition.</summary>
    public ConfigDef() { }

    /// <summary>Creates a definition holding every key of <paramref name="parent"/>.</summary>
    public ConfigDef(ConfigDef parent)
    {
        foreach (var key in parent.Keys)
            Define(key);
    }

    /// <summary>Keys in definition order.</summary>
    public IEnumerable<ConfigKey> Keys
    {
        get
        {
            foreach (var name in _order)
                yield return _keys[name];
        }
    }

    /// <summary>Finds a key by name.</summary>
    public bool TryGetKey(string name, out ConfigKey key) => _keys.TryGetValue(name, out key!);

    /// <summary>Adds a key, or replaces one of the same name (e.g. a different default for the producer).</summary>
    public ConfigDef Define(ConfigKey key)
    {
        if (!_keys.ContainsKey(key.Name))
            _order.Add(key.Name);
        _keys[key.Name] = key;
        return this;
    }

    /// <summary>Adds a key.</summary>
    public ConfigDef Define(string name, ConfigType type, object? defaultValue, string documentation, Func<object?, string?>? validator = null)
        => Define(new ConfigKey(name, type, defaultValue, documentation, validator));

    /// <summary>
    /// Parses string properties. Every key must be defined; missing keys get their default.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown key, a value that does not parse or fails validation, or a missing required key.</exception>
    public ConfigValues Parse(IEnumerable<KeyValuePair<string, string>> properties)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        var given = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, raw) in properties)
        {
            if (!_keys.TryGetValue(name, out var key))
                throw new ArgumentException($"Unknown configuration property '{name}'.", name);
            values[name] = ParseValue(key, raw);
            given.Add(name);
        }
        foreach (var name in _order)
        {
            var key = _keys[name];
            if (!values.TryGetValue(name, out var value))
            {
                if (key.Required)
                    throw new ArgumentException($"Missing required configuration property '{name}' ({key.Documentation}).", name);
                value = key.DefaultValue;
                values[name] = value;
            }
            var error = key.Validator?.Invoke(value);
            if (error is not null)
                throw new ArgumentException($"{name} {error}, got '{Format(value, key.Type)}'.", name);
        }
        return new ConfigValues(values, given);
    }

    /// <summary>Parses one raw value for a key.</summary>
    /// <exception cref="ArgumentException">The value does not parse as the key's type.</exception>
    public static object? ParseValue(ConfigKey key, string raw)
    {
        var s = raw.Trim();
        switch (key.Type)
        {
            case ConfigType.Boolean:
                if (bool.TryParse(s, out var b))
                    return b;
                throw Invalid(key, raw, "a boolean value (true or false)");
            case ConfigType.Int:
                if (int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i))
                    return i;
                throw Invalid(key, raw, "an integer value");
            case ConfigType.Long:
                if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l))
                    return l;
                throw Invalid(key, raw, "an integer value");
            case ConfigType.Double:
                if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                    return d;
                throw Invalid(key, raw, "a number");
            case ConfigType.List:
                var parts = s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return (IReadOnlyList<string>)parts;
            default:
                return raw;
        }
    }

    /// <summary>The string form of a typed value (for ToProperties round-trips).</summary>
    public static string Format(object? value, ConfigType type) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        IReadOnlyList<string> list => string.Join(",", list),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => type == ConfigType.Password ? "[hidden]" : value.ToString() ?? "",
    };

    private static ArgumentException Invalid(ConfigKey key, string raw, string expected)
        => new($"{key.Name} requires {expected}, got '{(key.Type == ConfigType.Password ? "[hidden]" : raw)}'.", key.Name);
}
