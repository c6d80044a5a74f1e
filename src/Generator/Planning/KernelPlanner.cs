using System;
using System.Collections.Generic;
using System.Text;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning
{
    /// <summary>Spec to plan: pure arithmetic, no Roslyn types.</summary>
    internal static class KernelPlanner
    {
        /// <summary>Rows of more than this many full vectors are walked by a loop instead of unrolled statements.</summary>
        public const int MaxUnrolledChunks = 16;

        /// <summary>
        /// Windows narrower than this many keys run row by row: a group of 8 rows would score their union in 16-key blocks,
        /// about twice the multiply-adds of the rows' own windows (measured: window 33 took 4.2 ms tiled vs 2.3 ms per row
        /// at N = 4096, d = 64).
        /// </summary>
        public const int MinTiledWindow = 64;

        /// <summary>The smallest and largest side of the mask picture in the generated header.</summary>
        public const int MinPictureSize = 12;
        public const int MaxPictureSize = 40;

        private static readonly int[] ShareLengths = { 1024, 4096 };

        /// <summary>Plans a kernel; an unexpected exception becomes a plan with <see cref="KernelPlan.Failure"/> set, never a generator crash.</summary>
        public static KernelPlan TryPlan(KernelSpec spec)
        {
            try
            {
                return Plan(spec);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return new KernelPlan(spec, string.Empty, string.Empty, EquatableArray<PathPlan>.Empty, EquatableArray<string>.Empty, EquatableArray<PairShare>.Empty,
                    Failure: exception.GetType().Name + ": " + exception.Message);
            }
        }

        public static KernelPlan Plan(KernelSpec spec)
        {
            int d = spec.HeadDimension;

            // Tiles pay unless every row sees only a narrow window; run-time masks take the tiles too (composed per block).
            bool useTiles = !spec.Mask.HasWindow || (long)spec.Mask.WindowLeft + (spec.Mask.Causal ? 0 : spec.Mask.WindowRight) + 1 >= MinTiledWindow;
            var paths = new[]
            {
                PlanPath("Vector512Path", "Vector512<float>, 16 lanes", 16, d, useTiles),
                PlanPath("Vector256Path", "Vector256<float>, 8 lanes", 8, d, useTiles),
                PlanPath("Vector128Path", "Vector128<float>, 4 lanes", 4, d, useTiles),
                PlanPath("ScalarPath", "scalar float", 1, d, useTiles),
            };

            // Large enough for the window's band to show, where that fits in 40 columns.
            int pictureSize = spec.Mask.HasWindow
                ? (int)Math.Min(MaxPictureSize, Math.Max(MinPictureSize, (long)spec.Mask.WindowLeft + spec.Mask.WindowRight + 8))
                : MinPictureSize;
            var picture = new List<string>();
            for (int row = 0; row < pictureSize; row++)
            {
                var line = new StringBuilder();
                for (int column = 0; column < pictureSize; column++)
                {
                    line.Append(column == 0 ? string.Empty : " ").Append(MaskMath.IsAllowed(spec.Mask, row, column, pictureSize, pictureSize) ? '#' : '.');
                }

                picture.Add(line.ToString());
            }

            var shares = new List<PairShare>();
            foreach (int length in ShareLengths)
            {
                shares.Add(new PairShare(length, MaskMath.AllowedPairs(spec.Mask, length, length)));
            }

            return new KernelPlan(
                spec,
                HintName(spec),
                spec.MethodName.TrimStart('@') + "Kernel",
                new EquatableArray<PathPlan>(paths),
                new EquatableArray<string>(picture),
                new EquatableArray<PairShare>(shares));
        }

        /// <summary>Splits d floats into full vectors of <paramref name="lanes"/>, then 8-, 4-lane vectors and scalars for the remainder.</summary>
        public static PathPlan PlanPath(string name, string description, int lanes, int headDimension, bool useTiles = true)
        {
            int fullChunks = headDimension / lanes;
            int loopedLength = fullChunks > MaxUnrolledChunks ? fullChunks * lanes : 0;
            var chunks = new List<Chunk>();
            int offset = loopedLength;
            if (loopedLength == 0)
            {
                for (int i = 0; i < fullChunks; i++, offset += lanes)
                {
                    chunks.Add(new Chunk(lanes, offset));
                }
            }

            foreach (int smaller in new[] { 8, 4 })
            {
                if (smaller < lanes && headDimension - offset >= smaller)
                {
                    chunks.Add(new Chunk(smaller, offset));
                    offset += smaller;
                }
            }

            for (; offset < headDimension; offset++)
            {
                chunks.Add(new Chunk(1, offset));
            }

            int rowTile = lanes == 1 || !useTiles ? 0 : 8 * lanes / 16;
            return new PathPlan(name, description, lanes, loopedLength, new EquatableArray<Chunk>(chunks), rowTile);
        }

        /// <summary>
        /// The plan itself, or, when another kernel's hint name equals this one ignoring case, the plan with a suffix derived
        /// from its exact-case full name (FNV-1a, so the same on every machine and run).
        /// </summary>
        public static KernelPlan WithUniqueHintName(KernelPlan plan, EquatableArray<string> allHintNames)
        {
            int sameIgnoringCase = 0;
            foreach (string name in allHintNames)
            {
                if (string.Equals(name, plan.HintName, StringComparison.OrdinalIgnoreCase))
                {
                    sameIgnoringCase++;
                }
            }

            if (sameIgnoringCase <= 1)
            {
                return plan;
            }

            uint hash = 2166136261;
            foreach (char c in plan.Spec.DisplayName)
            {
                hash = unchecked((hash ^ c) * 16777619);
            }

            string stem = plan.HintName.Substring(0, plan.HintName.Length - ".g.cs".Length);
            return plan with { HintName = stem + "." + hash.ToString("x8", System.Globalization.CultureInfo.InvariantCulture) + ".g.cs" };
        }

        /// <summary>
        /// A stable file name from the kernel's full name: <c>MyApp.Kernels.Longformer64.g.cs</c>. Nested types are joined with
        /// <c>+</c> and generic arity is written <c>`1</c>, as in metadata names, so two different kernels never share a name.
        /// </summary>
        private static string HintName(KernelSpec spec)
        {
            var builder = new StringBuilder();
            if (spec.Namespace.Length > 0)
            {
                builder.Append(spec.Namespace.Replace("@", string.Empty)).Append('.');
            }

            for (int i = 0; i < spec.ContainingTypes.Length; i++)
            {
                ContainingTypeSpec type = spec.ContainingTypes[i];
                builder.Append(type.Name.TrimStart('@'));
                if (type.Arity > 0)
                {
                    builder.Append('`').Append(type.Arity);
                }

                builder.Append(i == spec.ContainingTypes.Length - 1 ? '.' : '+');
            }

            return builder.Append(spec.MethodName.TrimStart('@')).Append(".g.cs").ToString();
        }
    }
}
