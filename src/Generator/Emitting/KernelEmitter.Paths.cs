using KernelGen.Generator.Model;
using KernelGen.Generator.Planning;

namespace KernelGen.Generator.Emitting
{
    internal static partial class KernelEmitter
    {
        /// <summary>The head-dimension struct's name, the type argument of the runtime's paths in the dispatch.</summary>
        private const string HeadStruct = "Head";

        /// <summary>
        /// The spec's head-dimension constants for the runtime's paths (<c>KernelGen.Engine.Vector512Path&lt;Head&gt;</c> and
        /// the narrower ones): d, the scale folded into every dot product, and whether the paths take tiles. The row loops
        /// themselves are the runtime's, the same for every kernel, specialised by the JIT for these constants.
        /// </summary>
        private static void WriteHead(CodeWriter writer, KernelPlan plan)
        {
            KernelSpec spec = plan.Spec;
            writer.Line("/// <summary>");
            writer.Line("/// The head dimension for the runtime's paths (Vector512Path&lt;Head&gt; and the narrower ones): d and the scale, folded");
            writer.Line("/// into every dot product, as JIT-time constants, and whether the paths take the engine's tiles.");
            writer.Line("/// </summary>");
            writer.Open($"private readonly struct {HeadStruct} : global::KernelGen.Engine.IHeadDimension");
            writer.Line("public static int HeadDimension => " + Lit.Int(spec.HeadDimension) + ";");
            writer.Line();
            writer.Line("public static float ScoreScale => Scale;");
            writer.Line();
            writer.Line(plan.UseTiles
                ? "public static bool UseTiles => true; // tiles of 8, 4 or 2 rows x 16 keys by vector width"
                : "public static bool UseTiles => false; // the window is too narrow for tiles to pay: rows one at a time");
            writer.Close();
        }

        /// <summary>The runtime's path of one vector width for this kernel, as a type argument of the engine.</summary>
        private static string PathType(PathPlan path) => $"global::KernelGen.Engine.{path.Name}<{HeadStruct}>";
    }
}
