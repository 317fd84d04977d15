using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "records-quick")
{
    Samsa.Benchmarks.Records.RecordBatchThroughput.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
