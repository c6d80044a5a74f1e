using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using KernelGen.Engine;
using KernelGen.Generator.Model;
using KernelGen.Generator.Planning;

namespace KernelGen.Generator.Emitting
{
    internal static partial class KernelEmitter
    {
        /// <summary>The element-type lines of the header, for a kernel with a 16-bit span.</summary>
        private static void WriteElementTypes(CodeWriter writer, KernelSpec spec)
        {
            if (spec.AllFloat)
            {
                return;
            }

            writer.Line($"// Element types: query {ShortElement(spec.QueryElement)}, key and value {ShortElement(spec.KeyValueElement)}, output {ShortElement(spec.OutputElement)}; inputs are widened");
            writer.Line("// exactly to float32, all arithmetic is float32, and a 16-bit output is rounded to nearest even once, at the end.");
            writer.Line("// 16-bit keys and values are read in place by a decode step (widened in registers; a block of value rows once for");
            writer.Line("// all the query heads that share it) and widened once by a prefill.");
        }

        /// <summary>The comment that opens the file: the spec in words, what the kernel visits, and a picture of the mask.</summary>
        private static void WriteHeader(CodeWriter writer, KernelPlan plan)
        {
            KernelSpec spec = plan.Spec;
            MaskSpec mask = spec.Mask;
            string d = Lit.Int(spec.HeadDimension);
            writer.Line("//");
            writer.Line($"// KernelGen attention kernel {spec.DisplayName}: {DescribeSpec(spec)}");
            writer.Line("//");
            if (spec.Batch is { } batch)
            {
                string h = Lit.Int(batch.Heads), kv = Lit.Int(batch.KeyValueHeads);
                string shape = batch.Layout == 1 ? "[B, {0}, N, {1}]" : "[B, N, {0}, {1}]";
                writer.Line($"// Batched: {h} query heads{(batch.KeyValueHeads == batch.Heads ? string.Empty : $" sharing {kv} key/value heads (query head h reads key/value head h / {Lit.Int(batch.Heads / batch.KeyValueHeads)})")}; layout {batch.LayoutName}.");
                writer.Line($"// Shapes: query and output {string.Format(CultureInfo.InvariantCulture, shape, h, d).Replace("N,", "Nq,")}, key and value {string.Format(CultureInfo.InvariantCulture, shape, kv, d).Replace("N,", "Nk,")}, row-major{(spec.AllFloat ? " floats" : string.Empty)}.");
                writer.Line("// Each (item, key/value head) is one engine call with the query heads that read it, every span read in place");
                writer.Line("// through its row strides; a decode step reads the key/value head once for all of them.");
                WriteElementTypes(writer, spec);
                if (spec.TensorForm)
                {
                    writer.Line(spec.AllFloat
                        ? "// Tensor form: an overload takes query, key, value (ReadOnlyTensorSpan<float>) and output (TensorSpan<float>) of these"
                        : $"// Tensor form: an overload takes query, key, value (ReadOnlyTensorSpan of {ShortElement(spec.QueryElement)}, {ShortElement(spec.KeyValueElement)}, {ShortElement(spec.KeyValueElement)}) and output (TensorSpan<{ShortElement(spec.OutputElement)}>) of these");
                    writer.Line("// shapes, dense and row-major, with B from the tensors; other shapes and strided views throw ArgumentException.");
                }

                writer.Line(batch.RuntimeParameters.IsEmpty
                    ? "// Run-time parameters: none; every item has Nq queries and Nk keys."
                    : "// Run-time parameters: " + string.Join(", ", batch.RuntimeParameters.Select((p, i) => RuntimeParameters.Description(p, Unescaped(spec.ParameterNames[5 + i])))) + "; positions below count valid tokens (Nq, Nk = the item's lengths).");
            }
            else
            {
                writer.Line(spec.AllFloat
                    ? $"// Head dimension: d = {d}; query and output are [Nq, {d}], key and value are [Nk, {d}], row-major floats."
                    : $"// Head dimension: d = {d}; query and output are [Nq, {d}], key and value are [Nk, {d}], row-major.");
                WriteElementTypes(writer, spec);
            }

            writer.Line(spec.Score is { RuntimeScale: true }
                ? "// Scale: s(i, j) = scale * dot(q_i, k_j), scale given with each call (finite, > 0)."
                : spec.ScaleIsDefault
                ? $"// Scale: s(i, j) = {Lit.Number(spec.Scale)} * dot(q_i, k_j), the default 1/sqrt({d})."
                : $"// Scale: s(i, j) = {Lit.Number(spec.Scale)} * dot(q_i, k_j), as declared.");
            if (spec.Score is { } score)
            {
                WriteScoreHeader(writer, score, spec);
            }
            if (mask.MasksNothing)
            {
                writer.Line("// Mask: none; every query sees every key.");
            }
            else
            {
                writer.Line("// Alignment: query i sits at key position p(i) = i + Nk - Nq (bottom-right, as in FlashAttention 2.1+).");
                writer.Line("// Mask: query i sees key j when");
                if (mask.Causal)
                {
                    writer.Line("//     j <= p(i)                                   (causal)");
                }

                if (mask.HasWindow)
                {
                    string window = $"p(i) - {Lit.Int(mask.WindowLeft)} <= j <= p(i) + {Lit.Int(mask.WindowRight)}";
                    if (mask.HasGlobals)
                    {
                        writer.Line(mask.Causal ? "//   and at least one of" : "//   at least one of");
                        writer.Line($"//     {window.PadRight(44)}(sliding window)");
                        writer.Line($"//     {"j is global, or p(i) is global".PadRight(44)}(global positions {string.Join(", ", mask.GlobalPositions.Select(Lit.Int))})");
                        writer.Line("//   Global positions at or past Nk match nothing.");
                    }
                    else
                    {
                        writer.Line($"//   {(mask.Causal ? "and " : string.Empty)}{window}".PadRight(50) + "(sliding window)");
                    }
                }

                writer.Line("//   A row with no visible key is written as zeros.");
            }

            writer.Line("//");
            writer.Line("// Keys visited per query row (no other key is read):");
            foreach (string line in VisitedKeys(mask))
            {
                writer.Line("//   " + line);
            }

            writer.Line("//");
            writer.Line(plan.UseTiles
                ? "// Work: allowed score pairs of Nq x Nk when Nq = Nk = N (tiles also score the masked lanes of partial blocks):"
                : "// Work: allowed score pairs of Nq x Nk when Nq = Nk = N (before any run-time mask):");
            foreach (PairShare share in plan.PairShares)
            {
                long total = (long)share.Length * share.Length;
                writer.Line($"//   N = {Lit.Int(share.Length)}: {Lit.Long(share.AllowedPairs)} of {Lit.Long(total)} ({Percent(share)}%)");
            }

            writer.Line("//");
            writer.Line("// Algorithm: FlashAttention-2 online softmax, one softmax update per KeyBlock (OnlineSoftmax.BlockSize) keys;");
            writer.Line("// no Nq x Nk buffer; nothing allocated per call in steady state (pooled scratch). The loops are the runtime's");
            writer.Line("// AttentionEngine and head-dimension paths, specialised by the JIT for the Mask and Head structs below.");
            if (plan.UseTiles)
            {
                writer.Line("// Tiles: query rows in groups of RowTile (8, 4, 2 by vector width) walk the union of their key ranges in");
                writer.Line("// 16-key blocks of K, packed once per call and transposed so a score tile needs no horizontal sums. A block");
                writer.Line("// inside every row's range runs with no mask code; a block outside all of them is never touched; a block");
                writer.Line("// in between is masked with vector compares. Left-over rows (fewer than RowTile, e.g. a decode step) run");
                writer.Line("// one at a time over exactly their key range; a long one is split into key chunks over the threads.");
            }
            else
            {
                writer.Line($"// Rows: one at a time over exactly their key range (the window is narrower than {Lit.Int(KernelPlanner.MinTiledWindow)} keys, too few for tiles).");
            }

            if (spec.Batch is { HasDynamicMask: true })
            {
                writer.Line("// Run-time masks: keyMask and the row's mask compose with the static mask per block of rows x 16 keys (skipped");
                writer.Line("// when no row keeps a key of it, and never read when keyMask drops it all; full; or masked lane by lane).");
            }

            writer.Line("// Head-dimension paths (KernelGen.Engine, generic over Head), the widest accelerated one chosen per call; a row");
            writer.Line("// of d floats in vector steps, d a JIT-time constant:");
            foreach (PathPlan path in plan.Paths)
            {
                writer.Line($"//   {path.Name.PadRight(14)} {DescribeLayout(path)}{(path.RowTile > 0 ? $"; tiles of {Lit.Int(path.RowTile)} rows x 16 keys" : "; rows one at a time")}");
            }

            writer.Line("//");
            writer.Line($"// Mask for Nq = Nk = {Lit.Int(plan.MaskPicture.Length)} (rows: queries, columns: keys; # computed, . never touched):");
            foreach (string row in plan.MaskPicture)
            {
                writer.Line("//   " + row);
            }

            writer.Line("//");
        }

        /// <summary>The score modifiers in the header, in the order they apply, before the mask.</summary>
        private static void WriteScoreHeader(CodeWriter writer, ScoreSpec score, KernelSpec spec)
        {
            BatchSpec? batch = spec.Batch;
            if (score.Softcap != 0f)
            {
                string cap = Lit.Number(score.Softcap);
                writer.Line($"// Softcap: s = {cap} * tanh(s / {cap}), so every score lies in (-{cap}, {cap}).");
            }

            if (score.Alibi && batch is not null)
            {
                string slopes = string.Join(", ", Enumerable.Range(0, System.Math.Min(batch.Heads, 4)).Select(h => Lit.Number((float)KernelGen.Engine.AlibiSlopeMath.Exact(h, batch.Heads))));
                writer.Line($"// ALiBi: s -= slope_h * |p(i) - j| for query head h; standard slopes of {Lit.Int(batch.Heads)} heads: {slopes}{(batch.Heads > 4 ? ", ..." : ".")}"
                    + (batch.Has(RuntimeParameterNames.AlibiSlopes) ? $" Replaced per call by {UserName(spec, RuntimeParameterNames.AlibiSlopes)} when given." : string.Empty));
            }

            if (score.Bias)
            {
                writer.Line("// Bias: s += bias(i, j), read from the bias span per visible key; a bias of -inf hides the key like a mask.");
            }

            if (score.Sinks)
            {
                writer.Line("// Sinks: the softmax of query head h gains e^sinks[h] in its denominator: o_i = sum_j e^s_ij v_j / (sum_j e^s_ij + e^sinks[h]).");
            }
        }

        private static IEnumerable<string> VisitedKeys(MaskSpec mask)
        {
            if (mask.MasksNothing)
            {
                yield return "all keys 0 .. Nk - 1.";
                yield break;
            }

            if (!mask.HasWindow)
            {
                yield return "keys 0 .. p(i); rows with p(i) < 0 are zeros without reading a key.";
                yield break;
            }

            yield return mask.Causal
                ? "the window p(i) - WindowLeft .. min(p(i) + WindowRight, p(i)), clipped to [0, Nk);"
                : "the window p(i) - WindowLeft .. p(i) + WindowRight, clipped to [0, Nk);";
            if (mask.HasGlobals)
            {
                yield return mask.Causal
                    ? "then the global keys outside the window, up to p(i); a global row visits keys 0 .. p(i)."
                    : "then the global keys outside the window; a global row visits every key.";
            }
        }

        private static string DescribeLayout(PathPlan path)
        {
            var parts = new List<string>();
            foreach (IGrouping<int, Chunk> group in path.Chunks.GroupBy(static c => c.Lanes))
            {
                int count = group.Count();
                parts.Add(group.Key == 1 ? $"{Lit.Int(count)} {(count == 1 ? "float" : "floats")}" : $"{Lit.Int(count)} x {VectorName(group.Key)}");
            }

            return string.Join(" + ", parts);
        }

        private static string VectorName(int lanes) => $"Vector{Lit.Int(lanes * 32)}";
    }
}
