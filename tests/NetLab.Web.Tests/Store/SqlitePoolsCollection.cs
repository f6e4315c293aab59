namespace NetLab.Web.Tests.Store;

/// <summary>
/// Tests that clear every SQLite connection pool (they open one file under several connection strings, or unmount a
/// store's disk): they run alone, since clearing the pools closes connections other tests are taking from theirs.
/// </summary>
[CollectionDefinition(nameof(SqlitePoolsCollection), DisableParallelization = true)]
public sealed class SqlitePoolsCollection;
