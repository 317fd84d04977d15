namespace Samsa.Protocol.Generator;

/// <summary>Turns the spec folder into generated files (path relative to the output folder -> content).</summary>
internal static class ProtocolGenerator
{
    public static List<MessageSpec> LoadMessages(string protocolDir)
    {
        var dir = Path.Combine(protocolDir, "messages");
        var files = Directory.GetFiles(dir, "*.json");
        Array.Sort(files, StringComparer.Ordinal);
        var specs = new List<MessageSpec>(files.Length);
        foreach (var file in files)
            specs.Add(SpecReader.ParseMessage(File.ReadAllText(file), Path.GetFileName(file)));
        return specs;
    }

    public static List<ApiPair> PairApis(IReadOnlyList<MessageSpec> specs)
    {
        var requests = new SortedDictionary<short, MessageSpec>();
        var responses = new SortedDictionary<short, MessageSpec>();
        foreach (var s in specs)
        {
            if (s.ApiKey is not { } key)
                continue;
            var target = s.IsRequest ? requests : s.IsResponse ? responses : throw new FormatException($"{s.Name}: apiKey on a {s.Type}.");
            if (!target.TryAdd(key, s))
                throw new FormatException($"Two {s.Type}s for API key {key}: {target[key].Name} and {s.Name}.");
        }
        var pairs = new List<ApiPair>();
        foreach (var (key, request) in requests)
        {
            if (!responses.TryGetValue(key, out var response))
                throw new FormatException($"{request.Name} has no response spec.");
            var versions = request.StableVersions.Intersect(response.ValidVersions);
            pairs.Add(new ApiPair(key, request.ApiName, request, response, versions));
        }
        foreach (var key in responses.Keys)
        {
            if (!requests.ContainsKey(key))
                throw new FormatException($"{responses[key].Name} has no request spec.");
        }
        return pairs;
    }

    public static SortedDictionary<string, string> Generate(string protocolDir)
    {
        var specs = LoadMessages(protocolDir);
        var codes = SpecReader.ParseErrorCodes(File.ReadAllText(Path.Combine(protocolDir, "error-codes.tsv")));
        return Generate(specs, codes);
    }

    public static SortedDictionary<string, string> Generate(IReadOnlyList<MessageSpec> specs, IReadOnlyList<ErrorCodeSpec> codes)
    {
        var output = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var apis = PairApis(specs);
        foreach (var api in apis)
        {
            if (api.Versions.IsEmpty)
                continue;
            var request = new MessageModel(api.Request, api.Versions);
            var response = new MessageModel(api.Response, api.Versions);
            output.Add(api.Name + ".g.cs", MessageFile(request, response));
        }
        foreach (var spec in specs)
        {
            if (spec.ApiKey is not null || spec.StableVersions.IsEmpty)
                continue;
            output.Add(spec.Name + ".g.cs", MessageFile(new MessageModel(spec, spec.StableVersions), null));
        }
        output.Add("ApiKey.g.cs", TableEmitter.ApiKeyFile(apis));
        output.Add("ApiVersionRanges.g.cs", TableEmitter.ApiVersionRangesFile(apis));
        output.Add("ApiMessages.g.cs", TableEmitter.ApiMessagesFile(apis));
        output.Add("ErrorCode.g.cs", TableEmitter.ErrorCodeFile(codes));
        return output;
    }

    /// <summary>All message models (APIs and standalone messages) in output order.</summary>
    public static List<MessageModel> Models(IReadOnlyList<MessageSpec> specs)
    {
        var models = new List<MessageModel>();
        foreach (var api in PairApis(specs))
        {
            if (api.Versions.IsEmpty)
                continue;
            models.Add(new MessageModel(api.Request, api.Versions));
            models.Add(new MessageModel(api.Response, api.Versions));
        }
        foreach (var spec in specs)
        {
            if (spec.ApiKey is null && !spec.StableVersions.IsEmpty)
                models.Add(new MessageModel(spec, spec.StableVersions));
        }
        return models;
    }

    private static string MessageFile(MessageModel first, MessageModel? second)
    {
        var w = new CodeWriter();
        w.Line("using Samsa.Protocol.Primitives;");
        w.Line();
        w.Line("namespace Samsa.Protocol.Messages;");
        w.Line();
        new MessageEmitter(first, second?.ClassName).Emit(w);
        if (second is not null)
        {
            w.Line();
            new MessageEmitter(second, null).Emit(w);
        }
        return TableEmitter.Header + w;
    }

    /// <summary>
    /// Writes files whose content changed and deletes *.g.cs files in the folder that were not produced.
    /// Returns the number of files written or deleted.
    /// </summary>
    public static int WriteOutput(string outputDir, IReadOnlyDictionary<string, string> files)
    {
        Directory.CreateDirectory(outputDir);
        var changed = 0;
        foreach (var (name, content) in files)
        {
            var path = Path.Combine(outputDir, name);
            if (File.Exists(path) && File.ReadAllText(path) == content)
                continue;
            File.WriteAllText(path, content);
            changed++;
        }
        foreach (var existing in Directory.GetFiles(outputDir, "*.g.cs"))
        {
            if (!files.ContainsKey(Path.GetFileName(existing)))
            {
                File.Delete(existing);
                changed++;
            }
        }
        return changed;
    }
}
