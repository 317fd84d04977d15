namespace Samsa.Client.Serialization;

/// <summary>Whether a serializer is working on a record's key or its value.</summary>
public enum MessageComponentType
{
    /// <summary>The record key.</summary>
    Key,

    /// <summary>The record value.</summary>
    Value,
}

/// <summary>Where the bytes being (de)serialized belong: the topic and whether they are the key or the value.</summary>
/// <param name="Topic">The record's topic.</param>
/// <param name="Component">Key or value.</param>
public readonly record struct SerializationContext(string Topic, MessageComponentType Component);
