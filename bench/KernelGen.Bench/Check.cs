using System;

namespace KernelGen.Bench
{
    /// <summary>Before timing anything: every benchmarked implementation must match the reference.</summary>
    internal static class Check
    {
        public static int Run()
        {
            bool ok = true;
            foreach (string mask in new[] { "full", "causal", "causal+window(256,0)", "window(256,256)+globals" })
            {
                foreach (int d in new[] { 64, 128 })
                {
                    var bench = new AttentionBenchmarks { Mask = mask, HeadDim = d, N = 700 };
                    bench.Prepare();
                    foreach ((string name, Action run) in new (string, Action)[] { ("KernelGen", bench.KernelGen), ("TensorPrimitives", bench.TensorPrimitivesUnfused), ("TorchSharp", bench.TorchSharpSdpaToOutput), ("Naive", bench.NaiveScalar) })
                    {
                        run();
                        double error = bench.MaxErrorAgainstReference();
                        ok &= error <= 1e-4;
                        Console.WriteLine($"{mask,-22} d={d,-4} {name,-17} max abs error {error:E2}");
                    }
                }
            }

            var batched = new BatchedBenchmarks { Threads = 2 };
            batched.Setup();
            (double prefill, double decode) = batched.MaxDifferenceFromTorch();
            batched.Cleanup();
            ok &= prefill <= 1e-4 && decode <= 1e-4;
            Console.WriteLine($"batched padded prefill: KernelGen vs TorchSharp on the real rows, max abs difference {prefill:E2}; GQA decode {decode:E2}");
            return ok ? 0 : 1;
        }
    }
}
