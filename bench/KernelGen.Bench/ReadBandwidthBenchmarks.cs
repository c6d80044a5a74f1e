using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace KernelGen.Bench
{
    /// <summary>
    /// This machine's read bandwidth, the bound of a decode step: a Vector512 sum over a float buffer, split in halves on
    /// 2 threads (Parallel.Invoke on warm pool threads). 16 MiB is exactly the K and V cache of the decode benchmark at Nk = 16384, d = 128 (it fits this
    /// machine's L3); 256 MiB is beyond every cache (DRAM). Bytes per call = SizeMiB * 2^20.
    /// </summary>
    public class ReadBandwidthBenchmarks
    {
        private float[] _data = Array.Empty<float>();
        private float _sink;

        [Params(16, 256)]
        public int SizeMiB { get; set; }

        [Params(1, 2)]
        public int Threads { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            _data = new float[SizeMiB << 18];
            new Random(5).NextBytes(MemoryMarshal.AsBytes(_data.AsSpan()));
            for (int i = 0; i < _data.Length; i++)
            {
                _data[i] = float.IsFinite(_data[i]) ? _data[i] : 0f;
            }
        }

        [Benchmark]
        public float ReadAll()
        {
            if (Threads == 1)
            {
                return Sum(_data);
            }

            // Two halves on two pool threads (warm after the first call, so no thread is started per call).
            int half = _data.Length / 2;
            float[] data = _data;
            float low = 0, high = 0;
            Parallel.Invoke(() => low = Sum(data.AsSpan(0, half)), () => high = Sum(data.AsSpan(half)));
            _sink = low + high;
            return _sink;
        }

        private static float Sum(ReadOnlySpan<float> data)
        {
            ref float start = ref MemoryMarshal.GetReference(data);
            Vector512<float> a0 = Vector512<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
            int i = 0;
            for (; i + 64 <= data.Length; i += 64)
            {
                a0 += Vector512.LoadUnsafe(ref start, (nuint)i);
                a1 += Vector512.LoadUnsafe(ref start, (nuint)(i + 16));
                a2 += Vector512.LoadUnsafe(ref start, (nuint)(i + 32));
                a3 += Vector512.LoadUnsafe(ref start, (nuint)(i + 48));
            }

            return Vector512.Sum(a0 + a1 + a2 + a3);
        }
    }
}
