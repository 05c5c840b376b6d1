using System.Text;

namespace GameApi.Analytics.Engine;

/// <summary>
/// Splits SQL text into statements at the semicolons outside strings, quoted names and comments, as
/// Spark's lexer reads them (SqlBaseLexer.g4): '...' and "..." with backslash escapes, `...` names,
/// -- line comments and /* */ comments, which nest. Statements that are only comments are dropped.
/// DuckDB's strings have no backslash escapes (a quote inside is doubled): <c>backslashEscapes: false</c>.
/// </summary>
public static class SqlStatements
{
    public static IReadOnlyList<string> Split(string sql, bool backslashEscapes = true)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var statements = new List<string>();
        var current = new StringBuilder();
        var hasCode = false;
        var i = 0;

        void Finish()
        {
            if (hasCode)
            {
                statements.Add(current.ToString().Trim());
            }

            current.Clear();
            hasCode = false;
        }

        while (i < sql.Length)
        {
            var c = sql[i];
            var next = i + 1 < sql.Length ? sql[i + 1] : '\0';
            int end;
            if (c == ';')
            {
                Finish();
                i++;
                continue;
            }

            if (c == '-' && next == '-')
            {
                end = sql.IndexOf('\n', i);
                end = end < 0 ? sql.Length : end;
            }
            else if (c == '/' && next == '*')
            {
                end = CommentEnd(sql, i);
            }
            else if (c is '\'' or '"' or '`')
            {
                end = QuoteEnd(sql, i, backslashEscapes);
                hasCode = true;
            }
            else
            {
                end = i + 1;
                hasCode |= !char.IsWhiteSpace(c);
            }

            current.Append(sql, i, end - i);
            i = end;
        }

        Finish();
        return statements;
    }

    // The index after the closing quote; the end of the text when it never closes (Spark then reports it).
    private static int QuoteEnd(string sql, int start, bool backslashEscapes)
    {
        var quote = sql[start];
        for (var i = start + 1; i < sql.Length; i++)
        {
            if (sql[i] == '\\' && quote != '`' && backslashEscapes)
            {
                i++;
            }
            else if (sql[i] == quote)
            {
                return i + 1;
            }
        }

        return sql.Length;
    }

    private static int CommentEnd(string sql, int start)
    {
        var depth = 0;
        for (var i = start; i < sql.Length - 1; i++)
        {
            if (sql[i] == '/' && sql[i + 1] == '*')
            {
                depth++;
                i++;
            }
            else if (sql[i] == '*' && sql[i + 1] == '/')
            {
                depth--;
                i++;
                if (depth == 0)
                {
                    return i + 1;
                }
            }
        }

        return sql.Length;
    }
}
