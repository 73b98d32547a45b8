namespace AckFc.Core.Tests.Reporting;

/// <summary>Finds the repository root (the folder with AckFc.sln) from the test output folder.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AckFc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"AckFc.sln not found above {AppContext.BaseDirectory}.");
    }
}
