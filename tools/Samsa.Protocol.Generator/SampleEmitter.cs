namespace Samsa.Protocol.Generator;

internal static class SampleEmitter
{
    public static string Generate(IReadOnlyList<MessageModel> models) => TableEmitter.Header;
}
