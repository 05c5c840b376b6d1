using GameApi.Analytics.Engine;

namespace GameApi.Tests.Analytics;

public class SqlStatementsTests
{
    [TestCase("SELECT 1", new[] { "SELECT 1" })]
    [TestCase("SELECT 1;", new[] { "SELECT 1" })]
    [TestCase(" SELECT 1 ;; SELECT 2 ", new[] { "SELECT 1", "SELECT 2" })]
    [TestCase("SELECT ';' AS a; SELECT \"x;y\"", new[] { "SELECT ';' AS a", "SELECT \"x;y\"" })]
    [TestCase("SELECT 'it\\'s; fine'; SELECT 2", new[] { "SELECT 'it\\'s; fine'", "SELECT 2" })]
    [TestCase("SELECT 'a''b;c'", new[] { "SELECT 'a''b;c'" })]
    [TestCase("SELECT `we;ird` FROM t", new[] { "SELECT `we;ird` FROM t" })]
    [TestCase("SELECT 1 -- one; two\n; SELECT 2", new[] { "SELECT 1 -- one; two", "SELECT 2" })]
    [TestCase("SELECT /* a /* nested; */ still; */ 1; SELECT 2", new[] { "SELECT /* a /* nested; */ still; */ 1", "SELECT 2" })]
    [TestCase("-- only a comment;\n/* and; another */", new string[0])]
    [TestCase("SELECT 1; -- trailing comment", new[] { "SELECT 1" })]
    [TestCase("SELECT 'never closed; SELECT 2", new[] { "SELECT 'never closed; SELECT 2" })]
    public void Split_AtTopLevelSemicolonsOnly(string sql, string[] expected) =>
        Assert.That(SqlStatements.Split(sql), Is.EqualTo(expected));

    // DuckDB's strings: a backslash is a character, a doubled quote the quote.
    [TestCase("SELECT 'C:\\'; SELECT 2", new[] { "SELECT 'C:\\'", "SELECT 2" })]
    [TestCase("SELECT 'a''b;c'; SELECT 2", new[] { "SELECT 'a''b;c'", "SELECT 2" })]
    public void Split_WithoutBackslashEscapes_AsDuckDbReadsStrings(string sql, string[] expected) =>
        Assert.That(SqlStatements.Split(sql, backslashEscapes: false), Is.EqualTo(expected));
}
