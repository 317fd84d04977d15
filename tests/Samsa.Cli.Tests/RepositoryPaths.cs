namespace Samsa.Cli.Tests;

/// <summary>Finds the checkout the tests run from (the folder holding Samsa.slnx).</summary>
internal static class RepositoryPaths
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Samsa.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no Samsa.slnx above {AppContext.BaseDirectory}");
    }
}
