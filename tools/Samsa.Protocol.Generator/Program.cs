using Samsa.Protocol.Generator;

// Generates src/Samsa.Protocol/Generated (and the test-sample file) from Kafka's message specs.
//   generator KAFKA_PROTOCOL_DIR OUTPUT_DIR [SAMPLES_FILE]
if (args.Length is < 2 or > 3)
{
    Console.Error.WriteLine("usage: generator KAFKA_PROTOCOL_DIR OUTPUT_DIR [SAMPLES_FILE]");
    return 2;
}
try
{
    var protocolDir = args[0];
    var outputDir = args[1];
    var files = ProtocolGenerator.Generate(protocolDir);
    var changed = ProtocolGenerator.WriteOutput(outputDir, files);
    if (args.Length == 3)
    {
        var samples = SampleEmitter.Generate(ProtocolGenerator.Models(ProtocolGenerator.LoadMessages(protocolDir)));
        var path = args[2];
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (!File.Exists(path) || File.ReadAllText(path) != samples)
        {
            File.WriteAllText(path, samples);
            changed++;
        }
    }
    Console.WriteLine($"generated {files.Count} files into {outputDir} ({changed} changed)");
    return 0;
}
catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 1;
}
