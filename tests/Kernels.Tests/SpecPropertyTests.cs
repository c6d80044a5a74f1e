using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using KernelGen.Tests;
using Xunit;

namespace KernelGen.Kernels.Tests
{
    /// <summary>
    /// Each kernel's generated <c>&lt;MethodName&gt;Spec</c> property: the spec its attributes declare (read back
    /// independently by <see cref="AttentionSpec.FromAttributes"/>), one instance, and enough to check the kernel in one call.
    /// </summary>
    public sealed class SpecPropertyTests
    {
        private const BindingFlags Static = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static;

        /// <summary>Every kernel declared in this assembly (single-head, batched, 16-bit, score and safety kernels alike).</summary>
        public static TheoryData<string, string> Kernels()
        {
            var data = new TheoryData<string, string>();
            foreach (Type type in typeof(SpecPropertyTests).Assembly.GetTypes().OrderBy(static t => t.FullName, StringComparer.Ordinal))
            {
                foreach (MethodInfo method in type.GetMethods(Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                    .Where(static m => m.GetCustomAttribute<AttentionKernelAttribute>() is not null).OrderBy(static m => m.Name, StringComparer.Ordinal))
                {
                    data.Add(type.FullName!, method.Name);
                }
            }

            return data;
        }

        [Theory]
        [MemberData(nameof(Kernels))]
        public void Property_EqualsTheSpecOfTheAttributes_AndIsOneInstance(string typeName, string methodName)
        {
            Type type = typeof(SpecPropertyTests).Assembly.GetType(typeName)!;
            if (type.ContainsGenericParameters)
            {
                // A kernel in a generic type: its spec property belongs to each constructed type (one is enough to read it).
                type = type.MakeGenericType(type.GetGenericArguments().Select(static _ => typeof(int)).ToArray());
            }

            MethodInfo method = type.GetMethods(Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Single(m => m.Name == methodName && m.GetCustomAttribute<AttentionKernelAttribute>() is not null);
            PropertyInfo property = type.GetProperty(methodName + "Spec", Static)
                ?? throw new Xunit.Sdk.XunitException($"{typeName}.{methodName} has no {methodName}Spec property");
            Assert.Equal(method.IsPublic, property.GetMethod!.IsPublic);
            Assert.Equal(method.IsAssembly, property.GetMethod.IsAssembly);
            var generated = (AttentionSpec)property.GetValue(null)!;
            Assert.Same(generated, property.GetValue(null));

            AttentionSpec declared = KernelCatalog.SpecOf(method);
            Assert.Equal(declared.HeadDimension, generated.HeadDimension);
            Assert.Equal(declared.Scale, generated.Scale);
            Assert.Equal(declared.Causal, generated.Causal);
            Assert.Equal(declared.Window, generated.Window);
            // Global positions only matter with a window (KG0010), and only then does the generated spec keep them.
            Assert.Equal(declared.Window is null ? Array.Empty<int>() : declared.GlobalPositions, generated.GlobalPositions);
            Assert.Equal(declared.Softcap, generated.Softcap);
            Assert.Equal(declared.Alibi, generated.Alibi);
            Assert.Equal(declared.Heads, generated.Heads);
            Assert.Equal(declared.KeyValueHeads, generated.KeyValueHeads);
            Assert.Equal(declared.Layout, generated.Layout);
        }

        [Fact]
        public void SingleHeadKernel_IsCheckedInOneCall()
        {
            const int d = 64, queries = 37, keys = 75;
            float[] query = TestData.Uniform(1, queries * d), key = TestData.Uniform(2, keys * d), value = TestData.Uniform(3, keys * d);
            float[] output = TestData.Poisoned(queries * d);
            TestKernels.D64_CausalWindow16x0Globals(query, key, value, output);

            double[] expected = new double[output.Length];
            ReferenceAttention.Compute(TestKernels.D64_CausalWindow16x0GlobalsSpec, query, key, value, expected);
            Assert.InRange(TestData.MaxAbsError(output, expected), 0, 1e-5);

            // The check can fail: the spec of another mask does not describe this kernel's output.
            ReferenceAttention.Compute(TestKernels.D64_CausalSpec, query, key, value, expected);
            Assert.True(TestData.MaxAbsError(output, expected) > 1e-3);
        }

        [Fact]
        public void BatchedKernel_IsCheckedInOneCall_WithHeadsAndLayoutFromTheSpec()
        {
            const int d = 16, heads = 4, keyValueHeads = 2, batch = 3, positions = 21;
            int[] keyLengths = { 21, 5, 0 }, queryLengths = { 21, 3, 0 };
            float[] query = TestData.Uniform(4, batch * heads * positions * d), key = TestData.Uniform(5, batch * keyValueHeads * positions * d);
            float[] value = TestData.Uniform(6, key.Length), output = TestData.Poisoned(query.Length);
            BatchedKernels.H4Kv2_Causal_Bhsd_BothLengths(query, key, value, output, batch, keyLengths, queryLengths);

            AttentionSpec spec = BatchedKernels.H4Kv2_Causal_Bhsd_BothLengthsSpec;
            Assert.Equal((heads, keyValueHeads, AttentionLayout.BatchHeadSeqDim), (spec.Heads, spec.KeyValueHeads, spec.Layout));
            double[] expected = new double[output.Length];
            ReferenceAttention.ComputeBatched(spec, batch, query, key, value, expected, keyLengths: keyLengths, queryLengths: queryLengths);
            Assert.InRange(TestData.MaxAbsError(output, expected), 0, 1e-5);

            // Read in the other layout, the same numbers are a different problem.
            ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchSeqHeadDim, heads, keyValueHeads, batch, query, key, value, expected,
                keyLengths: keyLengths, queryLengths: queryLengths);
            Assert.True(TestData.MaxAbsError(output, expected) > 1e-3);
        }

        [Fact]
        public void HalfCacheKernel_IsCheckedInOneCall_WithoutWideningByHand()
        {
            const int d = 128, queries = 9, keys = 300;
            float[] query = TestData.Uniform(7, queries * d, 2f);
            Half[] key = TestData.Narrow<Half>(TestData.Uniform(8, keys * d, 2f)), value = TestData.Narrow<Half>(TestData.Uniform(9, keys * d));
            float[] output = TestData.Poisoned(queries * d);
            StorageKernels.HalfCache_Causal128(query, key, value, output);

            double[] expected = new double[output.Length];
            ReferenceAttention.Compute(StorageKernels.HalfCache_Causal128Spec, query, key, value, expected);
            Assert.InRange(TestData.MaxAbsError(output, expected), 0, 1e-5);

            // Against the values before rounding to f16 the same kernel is off by about f16's precision, which the check sees.
            ReferenceAttention.Compute(StorageKernels.HalfCache_Causal128Spec, query, TestData.Uniform(8, keys * d, 2f), TestData.Uniform(9, keys * d), expected);
            Assert.True(TestData.MaxAbsError(output, expected) > 1e-5);
        }

        [Fact]
        public void BFloat16Kernel_IsCheckedInOneCall_WithinItsOutputRounding()
        {
            const int d = 64, queries = 70, keys = 90;
            BFloat16[] query = TestData.Narrow<BFloat16>(TestData.Uniform(10, queries * d, 2f));
            BFloat16[] key = TestData.Narrow<BFloat16>(TestData.Uniform(11, keys * d, 2f)), value = TestData.Narrow<BFloat16>(TestData.Uniform(12, keys * d));
            var output = new BFloat16[queries * d];
            StorageKernels.BFloat16All_CausalWindowGlobals64(query, key, value, output);

            double[] expected = new double[output.Length];
            ReferenceAttention.Compute(StorageKernels.BFloat16All_CausalWindowGlobals64Spec, query, key, value, expected);
            // The output is bf16: 8 significant bits, so half an ulp of values below 1 is at most 2^-9.
            Assert.InRange(TestData.MaxAbsError(TestData.Widen(output), expected), 0, 1.0 / 512);
        }
    }
}
