using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Onnx;

namespace KernelGen.MiniLM
{
    /// <summary>The sample's two runs: the check against ONNX Runtime and the benchmark.</summary>
    internal static class MiniLMRuns
    {
        /// <summary>Largest allowed |C# - ORT| over the 384 components of a normalised embedding.</summary>
        private const double MaxEmbeddingDifference = 1e-4;

        /// <summary>Smallest allowed cosine similarity between the two embeddings of a sentence.</summary>
        private const double MinCosine = 0.99999;

        private const int Hidden = MiniLMWeights.HiddenSize;

        public static int Check(IReadOnlyList<string> sentences, int threads)
        {
            var total = Stopwatch.StartNew();
            (byte[] modelBytes, MiniLMWeights weights, SentenceTokenizer tokenizer) = Load();
            TokenBatch batch = tokenizer.EncodeBatch(sentences);
            Console.WriteLine($"Batch: {batch.Count} sentences, padded to N = {batch.Positions}, {batch.TokenCount} real tokens of {batch.Count * batch.Positions} " +
                $"({100.0 * (1 - (double)batch.TokenCount / (batch.Count * batch.Positions)):F0}% padding); threads: {threads}");

            var encoder = new MiniLMEncoder(weights) { Threads = threads };
            float[] ours = new float[batch.Count * Hidden];
            var watch = Stopwatch.StartNew();
            float[] ourHidden = encoder.Encode(batch, ours).ToArray();
            TimeSpan ourTime = watch.Elapsed;

            float[] reference = new float[batch.Count * Hidden];
            using var ort = new OrtEncoder(modelBytes, threads);
            watch.Restart();
            float[] ortHidden = ort.Encode(batch, reference);
            TimeSpan ortTime = watch.Elapsed;

            Console.WriteLine();
            Console.WriteLine($"{"#",3} {"tokens",6} {"max |diff|",11} {"cosine",17} {"hidden max |diff|",18}  sentence");
            bool pass = true;
            double worstDifference = 0, worstCosine = 1, worstHidden = 0;
            int row = 0;
            for (int item = 0; item < batch.Count; item++)
            {
                ReadOnlySpan<float> a = ours.AsSpan(item * Hidden, Hidden), b = reference.AsSpan(item * Hidden, Hidden);
                double difference = MaxAbsDifference(a, b);
                double cosine = Cosine(a, b);
                int length = batch.Lengths[item];
                double hidden = MaxAbsDifference(ourHidden.AsSpan(row * Hidden, length * Hidden), ortHidden.AsSpan(row * Hidden, length * Hidden));
                row += length;
                bool ok = difference <= MaxEmbeddingDifference && cosine >= MinCosine;
                pass &= ok;
                worstDifference = Math.Max(worstDifference, difference);
                worstCosine = Math.Min(worstCosine, cosine);
                worstHidden = Math.Max(worstHidden, hidden);
                ReadOnlySpan<long> ids = batch.Ids.AsSpan(item * batch.Positions, length);
                int unknown = ids.Count(tokenizer.UnknownId);
                string shown = unknown > 0 ? $"({unknown} x [UNK]) {sentences[item]}" : sentences[item];
                Console.WriteLine($"{item,3} {length,6} {difference,11:E2} {cosine,17:F15} {hidden,18:E2}  {Shorten(shown, 70)}{(ok ? "" : "   <-- FAIL")}");
            }

            Console.WriteLine();
            Console.WriteLine($"Over the batch: max |diff| {worstDifference:E2} (limit {MaxEmbeddingDifference:E0}), min cosine {worstCosine:F15} (limit {MinCosine}), " +
                $"last hidden state max |diff| {worstHidden:E2} (information; its largest |value| is {MaxAbs(ortHidden):F2})");
            Console.WriteLine($"C# encoder {ourTime.TotalMilliseconds:F0} ms (first call, JIT included; attention kernel {encoder.AttentionTime.TotalMilliseconds:F1} ms), " +
                $"ONNX Runtime {ortTime.TotalMilliseconds:F0} ms (first run); whole check {total.Elapsed.TotalSeconds:F1} s");
            Console.WriteLine(pass ? "PASS" : "FAIL");
            return pass ? 0 : 1;
        }

        public static int Bench(IReadOnlyList<string> sentences)
        {
            const int warmUps = 2, runs = 7;
            (byte[] modelBytes, MiniLMWeights weights, SentenceTokenizer tokenizer) = Load();
            TokenBatch batch = tokenizer.EncodeBatch(sentences);
            Console.WriteLine($"Batch: {batch.Count} sentences, N = {batch.Positions}, {batch.TokenCount} real tokens of {batch.Count * batch.Positions}; " +
                $"median of {runs} runs after {warmUps} warm-up runs; tokenization excluded, pooling included.");
            Console.WriteLine($"Vector512 accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, Vector256: {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}, " +
                $"processors: {Environment.ProcessorCount}, CPU: {CpuName()}");
            float[] embeddings = new float[batch.Count * Hidden];
            var singles = new TokenBatch[sentences.Count];
            for (int index = 0; index < singles.Length; index++)
            {
                singles[index] = tokenizer.EncodeBatch([sentences[index]]);
            }

            var rows = new List<string>();
            var times = new double[runs];
            foreach (int threads in new[] { 1, 2 })
            {
                var encoder = new MiniLMEncoder(weights) { Threads = threads };
                for (int run = 0; run < warmUps; run++)
                {
                    encoder.Encode(batch, embeddings);
                }

                encoder.ResetAttentionTime();
                for (int run = 0; run < runs; run++)
                {
                    long start = Stopwatch.GetTimestamp();
                    encoder.Encode(batch, embeddings);
                    times[run] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }

                double total = Sum(times);
                double median = Median(times);
                double attentionPerCall = encoder.AttentionTime.TotalMilliseconds / (runs * MiniLMWeights.LayerCount);
                Console.WriteLine($"  attention on {threads} thread(s): {attentionPerCall:F2} ms per kernel call, {RealScoreFlops(batch) / attentionPerCall / 1e6:F1} GFLOP/s over the real score pairs");
                rows.Add($"| C# + KernelGen, real tokens only | {threads} | {median:F1} | {batch.Count / median * 1000:F0} | {100 * encoder.AttentionTime.TotalMilliseconds / total:F1}% |");
                Console.WriteLine(rows[^1]);

                using var ort = new OrtEncoder(modelBytes, threads);
                for (int run = 0; run < warmUps; run++)
                {
                    ort.Encode(batch, embeddings);
                }

                for (int run = 0; run < runs; run++)
                {
                    long start = Stopwatch.GetTimestamp();
                    ort.Encode(batch, embeddings);
                    times[run] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }

                median = Median(times);
                rows.Add($"| ONNX Runtime 1.31.1, padded batch | {threads} | {median:F1} | {batch.Count / median * 1000:F0} | |");
                Console.WriteLine(rows[^1]);

                // The same sentences one run each (B = 1, no padding): what ORT costs when padding is not paid for.
                for (int run = 0; run < warmUps; run++)
                {
                    EncodeOneByOne(ort, singles, embeddings);
                }

                for (int run = 0; run < runs; run++)
                {
                    long start = Stopwatch.GetTimestamp();
                    EncodeOneByOne(ort, singles, embeddings);
                    times[run] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }

                median = Median(times);
                rows.Add($"| ONNX Runtime 1.31.1, one sentence per run | {threads} | {median:F1} | {batch.Count / median * 1000:F0} | |");
                Console.WriteLine(rows[^1]);
            }

            AttentionAlone(batch);
            Console.WriteLine();
            Console.WriteLine("| encoder | threads | ms per batch (median) | sentences/s | share in attention kernel calls |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            foreach (string row in rows)
            {
                Console.WriteLine(row);
            }

            return 0;
        }

        public static int Tokens(IReadOnlyList<string> sentences)
        {
            using var vocabulary = ModelResources.OpenVocabulary();
            var tokenizer = new SentenceTokenizer(vocabulary);
            foreach (string sentence in sentences)
            {
                long[] ids = tokenizer.Encode(sentence);
                Console.WriteLine($"{ids.Length,4}  {tokenizer.Decode(ids)}");
            }

            return 0;
        }

        /// <summary>
        /// The kernel alone on one thread, on random inputs of the batch's padded shape: with the batch's real lengths, and
        /// with every sentence at the full N (no padding), to separate the cost of short sequences from the kernel's speed.
        /// </summary>
        private static void AttentionAlone(TokenBatch batch)
        {
            AttentionThreading.MaxDegreeOfParallelism = 1;
            int size = batch.Count * batch.Positions * Hidden;
            var random = new Random(15);
            float[] query = new float[size], key = new float[size], value = new float[size], output = new float[size];
            for (int index = 0; index < size; index++)
            {
                query[index] = random.NextSingle() * 2 - 1;
                key[index] = random.NextSingle() * 2 - 1;
                value[index] = random.NextSingle() * 2 - 1;
            }

            int[] full = new int[batch.Count];
            Array.Fill(full, batch.Positions);
            foreach ((string name, int[] lengths) in new[] { ("real lengths", batch.Lengths), ($"all {batch.Positions}", full) })
            {
                double best = double.MaxValue;
                for (int repeat = 0; repeat < 30; repeat++)
                {
                    long start = Stopwatch.GetTimestamp();
                    MiniLMAttention.Attend(query, key, value, output, batch.Count, lengths, lengths);
                    best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }

                Console.WriteLine($"  attention alone, one thread, {name}: {best:F2} ms (best of 30), {RealScoreFlops(batch with { Lengths = lengths }) / best / 1e6:F1} GFLOP/s");
            }
        }

        /// <summary>Floating-point operations of one attention call over the real tokens: 2 d for the score and 2 d for the value, per head and pair.</summary>
        private static double RealScoreFlops(TokenBatch batch)
        {
            double pairs = 0;
            foreach (int length in batch.Lengths)
            {
                pairs += (double)length * length;
            }

            return pairs * MiniLMWeights.Heads * 4 * MiniLMWeights.HeadDimension;
        }

        /// <summary>The "model name" of /proc/cpuinfo on Linux (what lscpu shows), else "unknown".</summary>
        private static string CpuName()
        {
            const string cpuInfo = "/proc/cpuinfo";
            if (File.Exists(cpuInfo))
            {
                foreach (string line in File.ReadLines(cpuInfo))
                {
                    if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is int colon and >= 0)
                    {
                        return line[(colon + 1)..].Trim();
                    }
                }
            }

            return "unknown";
        }

        private static void EncodeOneByOne(OrtEncoder ort, TokenBatch[] singles, float[] embeddings)
        {
            foreach (TokenBatch single in singles)
            {
                ort.Encode(single, embeddings.AsSpan(0, Hidden));
            }
        }

        private static (byte[] Model, MiniLMWeights Weights, SentenceTokenizer Tokenizer) Load()
        {
            var watch = Stopwatch.StartNew();
            byte[] modelBytes = ModelResources.ReadModel();
            MiniLMWeights weights = MiniLMWeights.Load(ModelProto.Parser.ParseFrom(modelBytes));
            using var vocabulary = ModelResources.OpenVocabulary();
            var tokenizer = new SentenceTokenizer(vocabulary);
            Console.WriteLine($"Model read and weights packed in {watch.Elapsed.TotalMilliseconds:F0} ms ({modelBytes.Length / 1e6:F1} MB, {weights.VocabularySize} word pieces, " +
                $"LayerNorm epsilon {weights.EmbeddingNorm.Epsilon:R}).");
            return (modelBytes, weights, tokenizer);
        }

        private static double MaxAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        {
            double max = 0;
            for (int index = 0; index < a.Length; index++)
            {
                max = Math.Max(max, Math.Abs((double)a[index] - b[index]));
            }

            return max;
        }

        private static double MaxAbs(ReadOnlySpan<float> values)
        {
            double max = 0;
            foreach (float value in values)
            {
                max = Math.Max(max, Math.Abs(value));
            }

            return max;
        }

        private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        {
            double dot = 0, squaresA = 0, squaresB = 0;
            for (int index = 0; index < a.Length; index++)
            {
                dot += (double)a[index] * b[index];
                squaresA += (double)a[index] * a[index];
                squaresB += (double)b[index] * b[index];
            }

            return dot / Math.Sqrt(squaresA * squaresB);
        }

        private static double Median(double[] values)
        {
            double[] sorted = (double[])values.Clone();
            Array.Sort(sorted);
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }

        private static double Sum(double[] values)
        {
            double sum = 0;
            foreach (double value in values)
            {
                sum += value;
            }

            return sum;
        }

        private static string Shorten(string text, int length)
        {
            string flat = text.Replace('\n', ' ');
            return flat.Length <= length ? flat : flat[..(length - 3)] + "...";
        }
    }
}
