// Every mask spec the differential tests cover, at every head dimension they cover.
// Written by hand from this table (masks x head dimensions); the tests read the attributes back by reflection,
// so a kernel's spec and the reference's spec cannot disagree.
using System;

namespace KernelGen.Kernels.Tests
{
    public static partial class TestKernels
    {
        [AttentionKernel(1)]
        public static partial void D1_Full(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(1)]
        [CausalMask]
        public static partial void D1_Causal(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(1)]
        [SlidingWindow(0, 0)]
        public static partial void D1_Window0x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(1)]
        [SlidingWindow(1, 0)]
        public static partial void D1_Window1x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(1)]
        [SlidingWindow(16)]
        public static partial void D1_Window16(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(1)]
        [SlidingWindow(256, 0)]
        public static partial void D1_Window256x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(1)]
        [SlidingWindow(3, 7)]
        public static partial void D1_Window3x7(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(1)]
        [CausalMask]
        [SlidingWindow(16, 0)]
        public static partial void D1_CausalWindow16x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(1)]
        [CausalMask]
        [SlidingWindow(3, 7)]
        public static partial void D1_CausalWindow3x7(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(1)]
        [SlidingWindow(3, 7)]
        [GlobalTokens(999, 0, 5, 64)]
        public static partial void D1_Window3x7Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(1)]
        [CausalMask]
        [SlidingWindow(16, 0)]
        [GlobalTokens(0, 1, 63, 64, 300)]
        public static partial void D1_CausalWindow16x0Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(1)]
        [GlobalTokens(0, 2)]
        public static partial void D1_GlobalsOnly(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(3)]
        public static partial void D3_Full(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(3)]
        [CausalMask]
        public static partial void D3_Causal(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(3)]
        [SlidingWindow(0, 0)]
        public static partial void D3_Window0x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(3)]
        [SlidingWindow(1, 0)]
        public static partial void D3_Window1x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(3)]
        [SlidingWindow(16)]
        public static partial void D3_Window16(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(3)]
        [SlidingWindow(256, 0)]
        public static partial void D3_Window256x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(3)]
        [SlidingWindow(3, 7)]
        public static partial void D3_Window3x7(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(3)]
        [CausalMask]
        [SlidingWindow(16, 0)]
        public static partial void D3_CausalWindow16x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(3)]
        [CausalMask]
        [SlidingWindow(3, 7)]
        public static partial void D3_CausalWindow3x7(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(3)]
        [SlidingWindow(3, 7)]
        [GlobalTokens(999, 0, 5, 64)]
        public static partial void D3_Window3x7Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(3)]
        [CausalMask]
        [SlidingWindow(16, 0)]
        [GlobalTokens(0, 1, 63, 64, 300)]
        public static partial void D3_CausalWindow16x0Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(3)]
        [GlobalTokens(0, 2)]
        public static partial void D3_GlobalsOnly(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(16)]
        public static partial void D16_Full(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(16)]
        [CausalMask]
        public static partial void D16_Causal(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(16)]
        [SlidingWindow(0, 0)]
        public static partial void D16_Window0x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(16)]
        [SlidingWindow(1, 0)]
        public static partial void D16_Window1x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(16)]
        [SlidingWindow(16)]
        public static partial void D16_Window16(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(16)]
        [SlidingWindow(256, 0)]
        public static partial void D16_Window256x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(16)]
        [SlidingWindow(3, 7)]
        public static partial void D16_Window3x7(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(16)]
        [CausalMask]
        [SlidingWindow(16, 0)]
        public static partial void D16_CausalWindow16x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(16)]
        [CausalMask]
        [SlidingWindow(3, 7)]
        public static partial void D16_CausalWindow3x7(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(16)]
        [SlidingWindow(3, 7)]
        [GlobalTokens(999, 0, 5, 64)]
        public static partial void D16_Window3x7Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(16)]
        [CausalMask]
        [SlidingWindow(16, 0)]
        [GlobalTokens(0, 1, 63, 64, 300)]
        public static partial void D16_CausalWindow16x0Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(16)]
        [GlobalTokens(0, 2)]
        public static partial void D16_GlobalsOnly(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(32)]
        public static partial void D32_Full(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(32)]
        [CausalMask]
        public static partial void D32_Causal(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(32)]
        [SlidingWindow(0, 0)]
        public static partial void D32_Window0x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(32)]
        [SlidingWindow(1, 0)]
        public static partial void D32_Window1x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(32)]
        [SlidingWindow(16)]
        public static partial void D32_Window16(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(32)]
        [SlidingWindow(256, 0)]
        public static partial void D32_Window256x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(32)]
        [SlidingWindow(3, 7)]
        public static partial void D32_Window3x7(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(32)]
        [CausalMask]
        [SlidingWindow(16, 0)]
        public static partial void D32_CausalWindow16x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(32)]
        [CausalMask]
        [SlidingWindow(3, 7)]
        public static partial void D32_CausalWindow3x7(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(32)]
        [SlidingWindow(3, 7)]
        [GlobalTokens(999, 0, 5, 64)]
        public static partial void D32_Window3x7Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(32)]
        [CausalMask]
        [SlidingWindow(16, 0)]
        [GlobalTokens(0, 1, 63, 64, 300)]
        public static partial void D32_CausalWindow16x0Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(32)]
        [GlobalTokens(0, 2)]
        public static partial void D32_GlobalsOnly(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(64)]
        public static partial void D64_Full(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(64)]
        [CausalMask]
        public static partial void D64_Causal(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(64)]
        [SlidingWindow(0, 0)]
        public static partial void D64_Window0x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(64)]
        [SlidingWindow(1, 0)]
        public static partial void D64_Window1x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(64)]
        [SlidingWindow(16)]
        public static partial void D64_Window16(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(64)]
        [SlidingWindow(256, 0)]
        public static partial void D64_Window256x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(64)]
        [SlidingWindow(3, 7)]
        public static partial void D64_Window3x7(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(64)]
        [CausalMask]
        [SlidingWindow(16, 0)]
        public static partial void D64_CausalWindow16x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(64)]
        [CausalMask]
        [SlidingWindow(3, 7)]
        public static partial void D64_CausalWindow3x7(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(64)]
        [SlidingWindow(3, 7)]
        [GlobalTokens(999, 0, 5, 64)]
        public static partial void D64_Window3x7Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(64)]
        [CausalMask]
        [SlidingWindow(16, 0)]
        [GlobalTokens(0, 1, 63, 64, 300)]
        public static partial void D64_CausalWindow16x0Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(64)]
        [GlobalTokens(0, 2)]
        public static partial void D64_GlobalsOnly(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(80)]
        public static partial void D80_Full(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(80)]
        [CausalMask]
        public static partial void D80_Causal(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(80)]
        [SlidingWindow(0, 0)]
        public static partial void D80_Window0x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(80)]
        [SlidingWindow(1, 0)]
        public static partial void D80_Window1x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(80)]
        [SlidingWindow(16)]
        public static partial void D80_Window16(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(80)]
        [SlidingWindow(256, 0)]
        public static partial void D80_Window256x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(80)]
        [SlidingWindow(3, 7)]
        public static partial void D80_Window3x7(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(80)]
        [CausalMask]
        [SlidingWindow(16, 0)]
        public static partial void D80_CausalWindow16x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(80)]
        [CausalMask]
        [SlidingWindow(3, 7)]
        public static partial void D80_CausalWindow3x7(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(80)]
        [SlidingWindow(3, 7)]
        [GlobalTokens(999, 0, 5, 64)]
        public static partial void D80_Window3x7Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(80)]
        [CausalMask]
        [SlidingWindow(16, 0)]
        [GlobalTokens(0, 1, 63, 64, 300)]
        public static partial void D80_CausalWindow16x0Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(80)]
        [GlobalTokens(0, 2)]
        public static partial void D80_GlobalsOnly(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(96)]
        public static partial void D96_Full(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(96)]
        [CausalMask]
        public static partial void D96_Causal(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(96)]
        [SlidingWindow(0, 0)]
        public static partial void D96_Window0x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(96)]
        [SlidingWindow(1, 0)]
        public static partial void D96_Window1x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(96)]
        [SlidingWindow(16)]
        public static partial void D96_Window16(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(96)]
        [SlidingWindow(256, 0)]
        public static partial void D96_Window256x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(96)]
        [SlidingWindow(3, 7)]
        public static partial void D96_Window3x7(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(96)]
        [CausalMask]
        [SlidingWindow(16, 0)]
        public static partial void D96_CausalWindow16x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(96)]
        [CausalMask]
        [SlidingWindow(3, 7)]
        public static partial void D96_CausalWindow3x7(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(96)]
        [SlidingWindow(3, 7)]
        [GlobalTokens(999, 0, 5, 64)]
        public static partial void D96_Window3x7Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(96)]
        [CausalMask]
        [SlidingWindow(16, 0)]
        [GlobalTokens(0, 1, 63, 64, 300)]
        public static partial void D96_CausalWindow16x0Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(96)]
        [GlobalTokens(0, 2)]
        public static partial void D96_GlobalsOnly(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(128)]
        public static partial void D128_Full(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(128)]
        [CausalMask]
        public static partial void D128_Causal(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(128)]
        [SlidingWindow(0, 0)]
        public static partial void D128_Window0x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(128)]
        [SlidingWindow(1, 0)]
        public static partial void D128_Window1x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(128)]
        [SlidingWindow(16)]
        public static partial void D128_Window16(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(128)]
        [SlidingWindow(256, 0)]
        public static partial void D128_Window256x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(128)]
        [SlidingWindow(3, 7)]
        public static partial void D128_Window3x7(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(128)]
        [CausalMask]
        [SlidingWindow(16, 0)]
        public static partial void D128_CausalWindow16x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(128)]
        [CausalMask]
        [SlidingWindow(3, 7)]
        public static partial void D128_CausalWindow3x7(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(128)]
        [SlidingWindow(3, 7)]
        [GlobalTokens(999, 0, 5, 64)]
        public static partial void D128_Window3x7Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(128)]
        [CausalMask]
        [SlidingWindow(16, 0)]
        [GlobalTokens(0, 1, 63, 64, 300)]
        public static partial void D128_CausalWindow16x0Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(128)]
        [GlobalTokens(0, 2)]
        public static partial void D128_GlobalsOnly(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(256)]
        public static partial void D256_Full(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(256)]
        [CausalMask]
        public static partial void D256_Causal(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(256)]
        [SlidingWindow(0, 0)]
        public static partial void D256_Window0x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(256)]
        [SlidingWindow(1, 0)]
        public static partial void D256_Window1x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(256)]
        [SlidingWindow(16)]
        public static partial void D256_Window16(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(256)]
        [SlidingWindow(256, 0)]
        public static partial void D256_Window256x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(256)]
        [SlidingWindow(3, 7)]
        public static partial void D256_Window3x7(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(256)]
        [CausalMask]
        [SlidingWindow(16, 0)]
        public static partial void D256_CausalWindow16x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(256)]
        [CausalMask]
        [SlidingWindow(3, 7)]
        public static partial void D256_CausalWindow3x7(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(256)]
        [SlidingWindow(3, 7)]
        [GlobalTokens(999, 0, 5, 64)]
        public static partial void D256_Window3x7Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(256)]
        [CausalMask]
        [SlidingWindow(16, 0)]
        [GlobalTokens(0, 1, 63, 64, 300)]
        public static partial void D256_CausalWindow16x0Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(256)]
        [GlobalTokens(0, 2)]
        public static partial void D256_GlobalsOnly(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        // Windows of 64 keys or more run through the tiled micro-kernel (narrower ones run row by row): these cover
        // tiles with global keys inside and outside the scanned blocks, global rows in a group, and causal cuts.
        [AttentionKernel(3)]
        [SlidingWindow(100, 30)]
        [GlobalTokens(999, 0, 5, 64, 300)]
        public static partial void D3_Window100x30Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(3)]
        [CausalMask]
        [SlidingWindow(70, 0)]
        [GlobalTokens(0, 1, 63, 64, 300)]
        public static partial void D3_CausalWindow70x0Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);
        [AttentionKernel(64)]
        [SlidingWindow(100, 30)]
        [GlobalTokens(999, 0, 5, 64, 300)]
        public static partial void D64_Window100x30Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(64)]
        [CausalMask]
        [SlidingWindow(70, 0)]
        [GlobalTokens(0, 1, 63, 64, 300)]
        public static partial void D64_CausalWindow70x0Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);
        [AttentionKernel(80)]
        [SlidingWindow(100, 30)]
        [GlobalTokens(999, 0, 5, 64, 300)]
        public static partial void D80_Window100x30Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(80)]
        [CausalMask]
        [SlidingWindow(70, 0)]
        [GlobalTokens(0, 1, 63, 64, 300)]
        public static partial void D80_CausalWindow70x0Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);
        [AttentionKernel(128)]
        [SlidingWindow(100, 30)]
        [GlobalTokens(999, 0, 5, 64, 300)]
        public static partial void D128_Window100x30Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(128)]
        [CausalMask]
        [SlidingWindow(70, 0)]
        [GlobalTokens(0, 1, 63, 64, 300)]
        public static partial void D128_CausalWindow70x0Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(64, Scale = 0.5f)]
        [CausalMask]
        public static partial void D64_CausalScaleHalf(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(512)]
        [CausalMask]
        [SlidingWindow(40, 0)]
        public static partial void D512_CausalWindow40x0(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(100)]
        [SlidingWindow(5, 2)]
        [GlobalTokens(3)]
        public static partial void D100_Window5x2Globals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        // The limits: a window wider than any N (long arithmetic in the range code) and global positions beyond N.
        [AttentionKernel(16)]
        [SlidingWindow(int.MaxValue, int.MaxValue)]
        [GlobalTokens(int.MaxValue, 5, 0)]
        public static partial void D16_HugeWindowGlobalsBeyondN(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(16)]
        [CausalMask]
        [SlidingWindow(int.MaxValue, 0)]
        [GlobalTokens(int.MaxValue)]
        public static partial void D16_CausalHugeWindow(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        // Softcap (issue 13) in the single-head catalog: causal at d = 64, and a window with globals at d = 37 (narrower
        // remainder columns); small caps so tanh bends the scores of these inputs.
        [AttentionKernel(64)]
        [CausalMask]
        [Softcap(1.5f)]
        public static partial void D64_CausalSoftcap(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(37)]
        [SlidingWindow(30, 4)]
        [GlobalTokens(0, 9)]
        [Softcap(0.5f)]
        public static partial void D37_WindowGlobalsSoftcap(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);
    }
}
