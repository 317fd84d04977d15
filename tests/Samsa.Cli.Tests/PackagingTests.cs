using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace Samsa.Cli.Tests;

/// <summary>
/// <c>dotnet pack</c> gives the library packages and the CLI as a .NET tool named <c>samsa</c>.
/// Packs the already-built solution (--no-build, a few seconds) into a temporary folder.
/// </summary>
public sealed class PackagingTests : IDisposable
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private readonly string _output = Path.Combine(Path.GetTempPath(), "samsa-pack-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_output))
            Directory.Delete(_output, recursive: true);
    }

    [Fact]
    public async Task Pack_produces_the_libraries_and_the_samsa_tool()
    {
        var root = RepositoryPaths.Root();
        var (code, log) = await RunAsync("dotnet", root, "pack", "Samsa.slnx", "-c", Configuration, "--no-build", "-o", _output, "-nologo");
        Assert.True(code == 0, log);

        var packages = Directory.GetFiles(_output, "*.nupkg").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["Samsa.Broker.0.1.0.nupkg", "Samsa.Cli.0.1.0.nupkg", "Samsa.Client.0.1.0.nupkg", "Samsa.Protocol.0.1.0.nupkg"], packages);

        foreach (var library in new[] { "Samsa.Protocol", "Samsa.Client", "Samsa.Broker" })
        {
            using var zip = ZipFile.OpenRead(Path.Combine(_output, $"{library}.0.1.0.nupkg"));
            Assert.NotNull(zip.GetEntry($"lib/net10.0/{library}.dll"));
            Assert.NotNull(zip.GetEntry("README.md"));
        }

        using (var tool = ZipFile.OpenRead(Path.Combine(_output, "Samsa.Cli.0.1.0.nupkg")))
        {
            var settings = tool.GetEntry("tools/net10.0/any/DotnetToolSettings.xml");
            Assert.NotNull(settings);
            using (var s = settings.Open())
            {
                var command = XDocument.Load(s).Descendants("Command").Single();
                Assert.Equal("samsa", command.Attribute("Name")?.Value);
                Assert.Equal("samsa.dll", command.Attribute("EntryPoint")?.Value);
            }
            Assert.NotNull(tool.GetEntry("tools/net10.0/any/samsa.dll"));
            var nuspec = tool.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
            using var n = nuspec.Open();
            var packageType = XDocument.Load(n).Descendants().Single(e => e.Name.LocalName == "packageType");
            Assert.Equal("DotnetTool", packageType.Attribute("name")?.Value);
        }
    }


    private static async Task<(int Code, string Log)> RunAsync(string file, string directory, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
