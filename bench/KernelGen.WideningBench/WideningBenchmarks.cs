using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Mathematics;
using BenchmarkDotNet.Running;

namespace KernelGen.WideningBench
{
    /// <summary>
    /// One d = 128 key cache widened to float32 and rounded back, ours against TensorPrimitives; a float32 copy of the
    /// same element count is the bandwidth reference. Single thread. 16384 keys is issue 14's size (2^21 values: 4 MiB
    /// as f16 or bf16, 8 MiB as float32; source plus destination, 12 or 16 MiB, exceed this machine's 8 MiB L3); 1024
    /// keys (256 KiB of f16, 512 KiB of float32) stay in L2 and show the arithmetic's cost. The "GB/s read" column is
    /// the source's bytes over the mean time (10^9 bytes per second); each call also writes its destination.
    /// </summary>
    [Config(typeof(BandwidthConfig))]
    public class WideningBenchmarks
    {
        public const int HeadDimension = 128;

        /// <summary>Bytes of source element per value read by each benchmark.</summary>
        private static readonly Dictionary<string, long> SourceElementBytes = new()
        {
            [nameof(WidenHalf_KernelGen)] = 2,
            [nameof(WidenHalf_TensorPrimitives)] = 2,
            [nameof(WidenBFloat16_KernelGen)] = 2,
            [nameof(NarrowHalf_KernelGen)] = 4,
            [nameof(NarrowHalf_TensorPrimitives)] = 4,
            [nameof(NarrowBFloat16_KernelGen)] = 4,
            [nameof(CopyFloat)] = 4,
        };

        [Params(1024, 16384)]
        public int Keys { get; set; }

        private int Count => Keys * HeadDimension;

        private Half[] _halves = Array.Empty<Half>();
        private BFloat16[] _brains = Array.Empty<BFloat16>();
        private float[] _floats = Array.Empty<float>();
        private float[] _wide = Array.Empty<float>();
        private Half[] _halfOut = Array.Empty<Half>();
        private BFloat16[] _brainOut = Array.Empty<BFloat16>();

        /// <summary>Key-like values: normally distributed, standard deviation 2 (Box-Muller), fixed seed.</summary>
        public static float[] KeyValues(int count, int seed)
        {
            var random = new Random(seed);
            var values = new float[count];
            for (int i = 0; i < count; i++)
            {
                double u = 1 - random.NextDouble();
                double v = random.NextDouble();
                values[i] = (float)(2 * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v));
            }

            return values;
        }

        [GlobalSetup]
        public void Setup()
        {
            _floats = KeyValues(Count, 14);
            _halves = new Half[Count];
            _brains = new BFloat16[Count];
            Widening.Narrow(_floats, _halves);
            Widening.Narrow(_floats, _brains);
            _wide = new float[Count];
            _halfOut = new Half[Count];
            _brainOut = new BFloat16[Count];
        }

        [Benchmark]
        public void WidenHalf_KernelGen() => Widening.Widen(_halves, _wide);

        [Benchmark]
        public void WidenHalf_TensorPrimitives() => TensorPrimitives.ConvertToSingle(_halves, _wide);

        [Benchmark]
        public void WidenBFloat16_KernelGen() => Widening.Widen(_brains, _wide);

        [Benchmark]
        public void NarrowHalf_KernelGen() => Widening.Narrow(_floats, _halfOut);

        [Benchmark]
        public void NarrowHalf_TensorPrimitives() => TensorPrimitives.ConvertToHalf(_floats, _halfOut);

        [Benchmark]
        public void NarrowBFloat16_KernelGen() => Widening.Narrow(_floats, _brainOut);

        [Benchmark(Baseline = true)]
        public void CopyFloat() => _floats.AsSpan().CopyTo(_wide);

        /// <summary>
        /// Ours against TensorPrimitives, bit for bit: every f16 bit pattern widened, and the benchmark's floats plus
        /// every float around each f16 rounding boundary narrowed. Prints the first differences; 0 when none.
        /// </summary>
        public static int Check()
        {
            var every = new Half[65536];
            for (int i = 0; i < every.Length; i++)
            {
                every[i] = BitConverter.UInt16BitsToHalf((ushort)i);
            }

            var ours = new float[every.Length];
            var theirs = new float[every.Length];
            Widening.Widen(every, ours);
            TensorPrimitives.ConvertToSingle(every, theirs);
            int widenDifferences = Report("widen f16", every.Length, i => BitConverter.SingleToUInt32Bits(ours[i]), i => BitConverter.SingleToUInt32Bits(theirs[i]), i => $"0x{i:X4}");

            var inputs = new List<float>(KeyValues(16384 * HeadDimension, 14));
            for (int pattern = 0; pattern < 0x7C00; pattern++)
            {
                float low = (float)BitConverter.UInt16BitsToHalf((ushort)pattern);
                float high = pattern == 0x7BFF ? 65536f : (float)BitConverter.UInt16BitsToHalf((ushort)(pattern + 1));
                uint middle = BitConverter.SingleToUInt32Bits((low + high) / 2);
                for (int delta = -2; delta <= 2; delta++)
                {
                    inputs.Add(BitConverter.UInt32BitsToSingle((uint)(middle + delta)));
                    inputs.Add(-BitConverter.UInt32BitsToSingle((uint)(middle + delta)));
                }
            }

            inputs.AddRange(new[] { float.NaN, -float.NaN, BitConverter.UInt32BitsToSingle(0x7F802000u), BitConverter.UInt32BitsToSingle(0x7F800001u), float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, 1e-40f });
            float[] source = inputs.ToArray();
            var ourHalves = new Half[source.Length];
            var theirHalves = new Half[source.Length];
            Widening.Narrow(source, ourHalves);
            TensorPrimitives.ConvertToHalf(source, theirHalves);
            int narrowDifferences = Report("narrow f16", source.Length, i => BitConverter.HalfToUInt16Bits(ourHalves[i]), i => BitConverter.HalfToUInt16Bits(theirHalves[i]), i => $"0x{BitConverter.SingleToUInt32Bits(source[i]):X8}");
            return widenDifferences + narrowDifferences == 0 ? 0 : 1;
        }

        private static int Report(string what, int count, Func<int, uint> ours, Func<int, uint> theirs, Func<int, string> input)
        {
            int differences = 0;
            for (int i = 0; i < count; i++)
            {
                if (ours(i) != theirs(i))
                {
                    if (differences++ < 10)
                    {
                        Console.WriteLine($"{what}: {input(i)} ours 0x{ours(i):X} TensorPrimitives 0x{theirs(i):X}");
                    }
                }
            }

            Console.WriteLine($"{what}: {count} inputs, {differences} differ");
            return differences;
        }

        private sealed class BandwidthConfig : ManualConfig
        {
            public BandwidthConfig() => AddColumn(new ReadBandwidthColumn());
        }

        private sealed class ReadBandwidthColumn : IColumn
        {
            public string Id => "GBps";
            public string ColumnName => "GB/s read";
            public bool AlwaysShow => true;
            public ColumnCategory Category => ColumnCategory.Custom;
            public int PriorityInCategory => 0;
            public bool IsNumeric => true;
            public UnitType UnitType => UnitType.Dimensionless;
            public string Legend => "Bytes of the source read per second (10^9), over the mean time";

            public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
            {
                Statistics? statistics = summary[benchmarkCase]?.ResultStatistics;
                if (statistics is null || !SourceElementBytes.TryGetValue(benchmarkCase.Descriptor.WorkloadMethod.Name, out long elementBytes))
                {
                    return "-";
                }

                long bytes = elementBytes * HeadDimension * (int)benchmarkCase.Parameters[nameof(Keys)];

                return (bytes / statistics.Mean).ToString("F2", System.Globalization.CultureInfo.InvariantCulture); // bytes per ns = GB/s
            }

            public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

            public bool IsAvailable(Summary summary) => true;

            public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        }
    }
}
