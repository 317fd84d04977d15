using Samsa.Protocol.Errors;

namespace Samsa.Protocol.Messages;

/// <summary>
/// Builds the exceptions generated message code throws, so the throw sites stay small and every
/// message names the message, field and version involved.
/// </summary>
internal static class ProtocolErrors
{
    /// <summary>A version outside the message's valid versions.</summary>
    public static KafkaProtocolException UnsupportedVersion(string message, short version, short lowest, short highest)
        => new($"{message} does not support version {version} (supported versions are {lowest} to {highest}).");

    /// <summary>A non-default value in a field the version does not have (and that is not ignorable).</summary>
    public static KafkaProtocolException FieldNotSupported(string message, string field, short version)
        => new($"Cannot write {message} at version {version}: field {field} holds a non-default value but does not exist in that version.");

    /// <summary>A null in a field that is not nullable at the version (writing or reading).</summary>
    public static KafkaProtocolException NullValue(string message, string field, short version)
        => new($"{message}.{field} is not nullable at version {version} but the value is null.");
}
