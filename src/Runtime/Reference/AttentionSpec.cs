using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Engine;

namespace KernelGen
{
    /// <summary>
    /// The run-time form of a kernel's attributes: head dimension, scale, mask and score terms (softcap, ALiBi), and for a
    /// batched kernel its heads and layout. <see cref="ReferenceAttention"/> takes it so that any generated kernel can be
    /// checked against the reference with the same spec; every generated kernel exposes its own as a static
    /// <c>&lt;MethodName&gt;Spec</c> property.
    /// </summary>
    public sealed class AttentionSpec
    {
        private readonly int[] _globalPositions;

        /// <summary>Creates a spec; <paramref name="globalPositions"/> are sorted and de-duplicated.</summary>
        /// <param name="headDimension">d, 1 or more.</param>
        /// <param name="scale">The score scale; 0 means <c>1 / sqrt(d)</c>, anything else must be finite and positive.</param>
        /// <param name="causal">Whether the causal mask applies.</param>
        /// <param name="window">The sliding window, or null for none.</param>
        /// <param name="globalPositions">Global positions (0 or more each); they only matter with a window.</param>
        /// <param name="softcap">The logit softcap ([Softcap]); 0 means none, anything else must be finite and positive.</param>
        /// <param name="alibi">Whether scores carry the ALiBi term ([Alibi]).</param>
        /// <param name="heads">Query heads H of a batched kernel, 1 or more (1 for a single-head kernel).</param>
        /// <param name="keyValueHeads">Key/value heads, 1 or more and dividing <paramref name="heads"/>; 0 means the same as
        /// <paramref name="heads"/>.</param>
        /// <param name="layout">The batched kernel's span layout (<see cref="ReferenceAttention.ComputeBatched(AttentionSpec, int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{double}, ReadOnlySpan{int}, ReadOnlySpan{int}, ReadOnlySpan{int}, Span{double}, ReadOnlySpan{bool}, ReadOnlySpan{bool}, ReadOnlySpan{int}, ReadOnlySpan{int}, float, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float})"/>
        /// reads it); a single-head call ignores it.</param>
        public AttentionSpec(int headDimension, float scale = 0f, bool causal = false, AttentionWindow? window = null, IEnumerable<int>? globalPositions = null,
            float softcap = 0f, bool alibi = false, int heads = 1, int keyValueHeads = 0, AttentionLayout layout = AttentionLayout.BatchSeqHeadDim)
        {
            if (heads < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(heads), heads, "Heads must be 1 or more.");
            }

            if (keyValueHeads < 0 || (keyValueHeads > 0 && heads % keyValueHeads != 0))
            {
                throw new ArgumentOutOfRangeException(nameof(keyValueHeads), keyValueHeads, $"KeyValueHeads must divide Heads ({heads}), or be 0 for the same as Heads.");
            }

            if (layout is not (AttentionLayout.BatchSeqHeadDim or AttentionLayout.BatchHeadSeqDim))
            {
                throw new ArgumentOutOfRangeException(nameof(layout), layout, "The layout must be BatchSeqHeadDim or BatchHeadSeqDim.");
            }

            if (headDimension <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(headDimension), headDimension, "The head dimension must be 1 or more.");
            }

            if (float.IsNaN(scale) || float.IsInfinity(scale) || scale < 0f)
            {
                throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be finite and positive, or 0 for 1/sqrt(d).");
            }

            if (float.IsNaN(softcap) || float.IsInfinity(softcap) || softcap < 0f || (softcap > 0f && float.IsInfinity(1f / softcap)))
            {
                throw new ArgumentOutOfRangeException(nameof(softcap), softcap, "The softcap must be finite and positive, or 0 for none.");
            }

            if (window is { } w && (w.Left < 0 || w.Right < 0))
            {
                throw new ArgumentOutOfRangeException(nameof(window), window, "Window sides must be 0 or more.");
            }

            _globalPositions = (globalPositions ?? Array.Empty<int>()).Distinct().OrderBy(static p => p).ToArray();
            if (_globalPositions.Length > 0 && _globalPositions[0] < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(globalPositions), _globalPositions[0], "Global positions must be 0 or more.");
            }

            HeadDimension = headDimension;
            Scale = scale == 0f ? (float)(1.0 / Math.Sqrt(headDimension)) : scale;
            Causal = causal;
            Window = window;
            Softcap = softcap;
            Alibi = alibi;
            Heads = heads;
            KeyValueHeads = keyValueHeads == 0 ? heads : keyValueHeads;
            Layout = layout;
        }

        /// <summary>The head dimension d.</summary>
        public int HeadDimension { get; }

        /// <summary>The effective score scale (<c>1 / sqrt(d)</c> when 0 was given).</summary>
        public float Scale { get; }

        /// <summary>Whether the causal mask applies.</summary>
        public bool Causal { get; }

        /// <summary>The sliding window, or null.</summary>
        public AttentionWindow? Window { get; }

        /// <summary>The global positions, sorted and unique.</summary>
        public IReadOnlyList<int> GlobalPositions => _globalPositions;

        /// <summary>The logit softcap: each scaled score s becomes <c>Softcap * tanh(s / Softcap)</c>; 0 for none.</summary>
        public float Softcap { get; }

        /// <summary>Whether each score of query head h loses <c>slope_h x |p(i) - j|</c> (ALiBi).</summary>
        public bool Alibi { get; }

        /// <summary>Query heads H per batch item (1 for a single-head kernel).</summary>
        public int Heads { get; }

        /// <summary>Key/value heads per batch item; query head h reads key/value head <c>h / (Heads / KeyValueHeads)</c>.</summary>
        public int KeyValueHeads { get; }

        /// <summary>The batched span layout; a single-head call ignores it.</summary>
        public AttentionLayout Layout { get; }

        /// <summary>Builds the spec that a kernel's attributes declare (the mask and score attributes may be null).</summary>
        public static AttentionSpec FromAttributes(
            AttentionKernelAttribute kernel,
            CausalMaskAttribute? causal = null,
            SlidingWindowAttribute? window = null,
            GlobalTokensAttribute? globals = null,
            SoftcapAttribute? softcap = null,
            AlibiAttribute? alibi = null)
        {
            ArgumentNullException.ThrowIfNull(kernel);
            if (softcap is not null && softcap.Cap == 0f)
            {
                // 0 means "no cap" to the constructor, but [Softcap(0)] is an invalid cap (KG0022), not an absent one.
                throw new ArgumentOutOfRangeException(nameof(softcap), softcap.Cap, "The softcap must be finite and positive.");
            }

            return new AttentionSpec(
                kernel.HeadDimension,
                kernel.Scale,
                causal is not null,
                window is null ? null : new AttentionWindow(window.Left, window.Right),
                globals?.Positions,
                softcap?.Cap ?? 0f,
                alibi is not null,
                Math.Max(kernel.Heads, 1),
                kernel.KeyValueHeads,
                kernel.Layout);
        }

        /// <summary>
        /// Whether query row <paramref name="queryRow"/> may attend to key <paramref name="keyIndex"/> when there are
        /// <paramref name="queryCount"/> queries and <paramref name="keyCount"/> keys. This is the mask contract:
        /// with <c>p = queryRow + keyCount - queryCount</c>,
        /// <c>(!causal || j &lt;= p) &amp;&amp; (!window || p - left &lt;= j &lt;= p + right || j in G || p in G)</c>.
        /// </summary>
        public bool IsAllowed(int queryRow, int keyIndex, int queryCount, int keyCount)
        {
            long position = (long)queryRow + keyCount - queryCount;
            return Engine.MaskGeometry.IsAllowed(position, keyIndex, keyCount, Causal, Window is not null, Window?.Left ?? 0, Window?.Right ?? 0,
                rowIsGlobal: position >= 0 && position <= int.MaxValue && IsGlobal((int)position), keyIsGlobal: IsGlobal(keyIndex));
        }

        private bool IsGlobal(int position) => Array.BinarySearch(_globalPositions, position) >= 0;
    }
}
