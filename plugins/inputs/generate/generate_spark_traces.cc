// WARN and ERROR records with a multi-line Java stack trace, tab-indented as log4j prints them
// (`\tat ...`, `Caused by: ...`, `\t... N more`): lost tasks, transport and fetch failures, and an
// aborted job (see generate_spark_lines.h). The frames are fixed text, so a trace costs a few
// appends.

#include <cstdint>
#include <string>
#include <string_view>

#include "plugins/inputs/generate/generate_spark_lines.h"

namespace sluice::inputs::generate {
namespace {

using std::string_view_literals::operator""sv;

constexpr std::string_view kFetchFailedFrames =
    "\n\tat org.apache.spark.storage.ShuffleBlockFetcherIterator.throwFetchFailedException("
    "ShuffleBlockFetcherIterator.scala:323)"
    "\n\tat org.apache.spark.storage.ShuffleBlockFetcherIterator.next("
    "ShuffleBlockFetcherIterator.scala:300)"
    "\n\tat org.apache.spark.storage.ShuffleBlockFetcherIterator.next("
    "ShuffleBlockFetcherIterator.scala:51)"
    "\n\tat scala.collection.Iterator$$anon$11.next(Iterator.scala:328)"
    "\n\tat scala.collection.Iterator$$anon$13.hasNext(Iterator.scala:371)"
    "\n\tat scala.collection.Iterator$$anon$11.hasNext(Iterator.scala:327)"
    "\n\tat org.apache.spark.util.CompletionIterator.hasNext(CompletionIterator.scala:32)"
    "\n\tat org.apache.spark.InterruptibleIterator.hasNext(InterruptibleIterator.scala:39)"
    "\n\tat scala.collection.Iterator$class.foreach(Iterator.scala:727)"
    "\n\tat org.apache.spark.InterruptibleIterator.foreach(InterruptibleIterator.scala:28)"
    "\n\tat org.apache.spark.api.python.PythonRDD$.writeIteratorToStream(PythonRDD.scala:452)"
    "\n\tat org.apache.spark.api.python.PythonRunner$WriterThread$$anonfun$run$3.apply("
    "PythonRDD.scala:280)"
    "\n\tat org.apache.spark.util.Utils$.logUncaughtExceptions(Utils.scala:1765)"
    "\n\tat org.apache.spark.api.python.PythonRunner$WriterThread.run(PythonRDD.scala:239)"sv;

constexpr std::string_view kConnectFrames =
    "\n\tat org.apache.spark.network.client.TransportClientFactory.createClient("
    "TransportClientFactory.java:216)"
    "\n\tat org.apache.spark.network.client.TransportClientFactory.createClient("
    "TransportClientFactory.java:167)"
    "\n\tat org.apache.spark.network.netty.NettyBlockTransferService$$anon$1.createAndStart("
    "NettyBlockTransferService.scala:90)"
    "\n\tat org.apache.spark.network.shuffle.RetryingBlockFetcher.fetchAllOutstanding("
    "RetryingBlockFetcher.java:140)"
    "\n\tat org.apache.spark.network.shuffle.RetryingBlockFetcher.access$200("
    "RetryingBlockFetcher.java:43)"
    "\n\tat org.apache.spark.network.shuffle.RetryingBlockFetcher$1.run("
    "RetryingBlockFetcher.java:170)"
    "\n\tat java.util.concurrent.Executors$RunnableAdapter.call(Executors.java:511)"
    "\n\tat java.util.concurrent.FutureTask.run(FutureTask.java:266)"
    "\n\tat java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1142)"
    "\n\tat java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:617)"
    "\n\tat java.lang.Thread.run(Thread.java:745)"sv;

constexpr std::string_view kConnectRefusedFrames =
    "\n\tat sun.nio.ch.SocketChannelImpl.checkConnect(Native Method)"
    "\n\tat sun.nio.ch.SocketChannelImpl.finishConnect(SocketChannelImpl.java:717)"
    "\n\tat io.netty.channel.socket.nio.NioSocketChannel.doFinishConnect(NioSocketChannel.java:224)"
    "\n\tat io.netty.channel.nio.AbstractNioChannel$AbstractNioUnsafe.finishConnect("
    "AbstractNioChannel.java:289)"
    "\n\tat io.netty.channel.nio.NioEventLoop.processSelectedKey(NioEventLoop.java:528)"
    "\n\tat io.netty.channel.nio.NioEventLoop.processSelectedKeysOptimized(NioEventLoop.java:468)"
    "\n\tat io.netty.channel.nio.NioEventLoop.processSelectedKeys(NioEventLoop.java:382)"
    "\n\tat io.netty.channel.nio.NioEventLoop.run(NioEventLoop.java:354)"
    "\n\tat io.netty.util.concurrent.SingleThreadEventExecutor$2.run("
    "SingleThreadEventExecutor.java:111)"
    "\n\t... 1 more"sv;

constexpr std::string_view kConnectionResetFrames =
    "\n\tat sun.nio.ch.FileDispatcherImpl.read0(Native Method)"
    "\n\tat sun.nio.ch.SocketDispatcher.read(SocketDispatcher.java:39)"
    "\n\tat sun.nio.ch.IOUtil.readIntoNativeBuffer(IOUtil.java:223)"
    "\n\tat sun.nio.ch.IOUtil.read(IOUtil.java:192)"
    "\n\tat sun.nio.ch.SocketChannelImpl.read(SocketChannelImpl.java:380)"
    "\n\tat io.netty.buffer.PooledUnsafeDirectByteBuf.setBytes(PooledUnsafeDirectByteBuf.java:311)"
    "\n\tat io.netty.buffer.AbstractByteBuf.writeBytes(AbstractByteBuf.java:881)"
    "\n\tat io.netty.channel.socket.nio.NioSocketChannel.doReadBytes(NioSocketChannel.java:242)"
    "\n\tat io.netty.channel.nio.AbstractNioByteChannel$NioByteUnsafe.read("
    "AbstractNioByteChannel.java:119)"
    "\n\tat io.netty.channel.nio.NioEventLoop.processSelectedKey(NioEventLoop.java:511)"
    "\n\tat io.netty.channel.nio.NioEventLoop.run(NioEventLoop.java:354)"
    "\n\tat io.netty.util.concurrent.SingleThreadEventExecutor$2.run("
    "SingleThreadEventExecutor.java:111)"
    "\n\tat java.lang.Thread.run(Thread.java:745)"sv;

constexpr std::string_view kJobAbortedFrames =
    "\n\tat org.apache.spark.scheduler.DAGScheduler.org$apache$spark$scheduler$DAGScheduler$$"
    "failJobAndIndependentStages(DAGScheduler.scala:1431)"
    "\n\tat org.apache.spark.scheduler.DAGScheduler$$anonfun$abortStage$1.apply("
    "DAGScheduler.scala:1419)"
    "\n\tat org.apache.spark.scheduler.DAGScheduler$$anonfun$abortStage$1.apply("
    "DAGScheduler.scala:1418)"
    "\n\tat scala.collection.mutable.ResizableArray$class.foreach(ResizableArray.scala:59)"
    "\n\tat scala.collection.mutable.ArrayBuffer.foreach(ArrayBuffer.scala:47)"
    "\n\tat org.apache.spark.scheduler.DAGScheduler.abortStage(DAGScheduler.scala:1418)"
    "\n\tat org.apache.spark.scheduler.DAGScheduler$$anonfun$handleTaskSetFailed$1.apply("
    "DAGScheduler.scala:799)"
    "\n\tat scala.Option.foreach(Option.scala:236)"
    "\n\tat org.apache.spark.scheduler.DAGScheduler.handleTaskSetFailed(DAGScheduler.scala:799)"
    "\n\tat org.apache.spark.scheduler.DAGSchedulerEventProcessLoop.doOnReceive("
    "DAGScheduler.scala:1640)"
    "\n\tat org.apache.spark.scheduler.DAGSchedulerEventProcessLoop.onReceive("
    "DAGScheduler.scala:1599)"
    "\n\tat org.apache.spark.util.EventLoop$$anon$1.run(EventLoop.scala:48)"
    "\n\tat org.apache.spark.SparkContext.runJob(SparkContext.scala:1832)"
    "\n\tat org.apache.spark.api.python.PythonRDD$.collectAndServe(PythonRDD.scala:405)"
    "\n\tat org.apache.spark.api.python.PythonRDD.collectAndServe(PythonRDD.scala)"
    "\n\tat sun.reflect.NativeMethodAccessorImpl.invoke0(Native Method)"
    "\n\tat java.lang.reflect.Method.invoke(Method.java:498)"
    "\n\tat py4j.GatewayConnection.run(GatewayConnection.java:209)"
    "\n\tat java.lang.Thread.run(Thread.java:745)"
    "\nCaused by: java.lang.OutOfMemoryError: Java heap space"
    "\n\tat java.util.Arrays.copyOf(Arrays.java:3236)"
    "\n\tat java.io.ByteArrayOutputStream.grow(ByteArrayOutputStream.java:118)"
    "\n\tat java.io.ByteArrayOutputStream.ensureCapacity(ByteArrayOutputStream.java:93)"
    "\n\tat java.io.ByteArrayOutputStream.write(ByteArrayOutputStream.java:153)"
    "\n\tat org.apache.spark.util.ByteBufferOutputStream.write(ByteBufferOutputStream.scala:41)"
    "\n\tat java.io.DataOutputStream.write(DataOutputStream.java:107)"
    "\n\tat org.apache.spark.api.python.PythonRDD$.writeUTF(PythonRDD.scala:506)"
    "\n\tat org.apache.spark.api.python.PythonRunner$$anon$1.read(PythonRDD.scala:139)"
    "\n\tat org.apache.spark.executor.Executor$TaskRunner.run(Executor.scala:227)"
    "\n\tat java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1142)"
    "\n\tat java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:617)"
    "\n\t... 1 more"sv;

// "java.io.IOException: Failed to connect to host-12/10.0.3.12:7337" with its frames, then the
// ConnectException that caused it.
void AppendConnectFailure(std::string& out, uint64_t host) {
  Append(out, "java.io.IOException: Failed to connect to "sv);
  AppendPeer(out, host);
  Append(out, kConnectFrames);
  Append(out, "\nCaused by: java.net.ConnectException: Connection refused: "sv);
  AppendPeer(out, host);
  Append(out, kConnectRefusedFrames);
}

// " WARN scheduler.TaskSetManager: Lost task 3.1 in stage 1.0 (TID 12, host-07)"
void AppendLostTask(std::string& out, const SparkLine& line) {
  Append(out, " WARN scheduler.TaskSetManager: Lost "sv);
  AppendTaskRef(out, line.task, (line.r >> 8) % 4);
  Append(out, ", "sv);
  AppendHost(out, line.host);
  out.push_back(')');
}

}  // namespace

void AppendLostTaskFetchFailed(std::string& out, const SparkLine& line) {
  const uint64_t peer = (line.host % kHosts) + 1;
  AppendLostTask(out, line);
  Append(out, ": org.apache.spark.shuffle.FetchFailedException: Failed to connect to "sv);
  AppendPeer(out, peer);
  Append(out, kFetchFailedFrames);
  Append(out, "\nCaused by: "sv);
  AppendConnectFailure(out, peer);
}

void AppendLostTaskConnectionReset(std::string& out, const SparkLine& line) {
  AppendLostTask(out, line);
  Append(out, ": java.io.IOException: Connection reset by peer"sv);
  Append(out, kConnectionResetFrames);
}

void AppendTransportWarning(std::string& out, const SparkLine& line) {
  Append(out, " WARN server.TransportChannelHandler: Exception in connection from "sv);
  AppendPeer(out, line.host);
  Append(out, ": java.io.IOException: Connection reset by peer"sv);
  Append(out, kConnectionResetFrames);
}

void AppendBlockFetchFailed(std::string& out, const SparkLine& line) {
  Append(out, " ERROR shuffle.RetryingBlockFetcher: Exception while beginning fetch of "sv);
  AppendUint(out, 1 + (line.r >> 8) % 4);
  Append(out, " outstanding blocks: "sv);
  AppendConnectFailure(out, line.host);
}

void AppendJobAborted(std::string& out, const SparkLine& line) {
  Append(out,
         " ERROR yarn.ApplicationMaster: User class threw exception: "
         "org.apache.spark.SparkException: Job aborted due to stage failure: Task "sv);
  AppendUint(out, line.task.index);
  Append(out, " in stage "sv);
  AppendUint(out, line.task.stage);
  Append(out, ".0 failed 4 times, most recent failure: Lost "sv);
  AppendTaskRef(out, line.task, 3);
  Append(out, ", "sv);
  AppendHost(out, line.host);
  Append(out, "): java.lang.OutOfMemoryError: Java heap space"sv);
  Append(out, kJobAbortedFrames);
}

}  // namespace sluice::inputs::generate
