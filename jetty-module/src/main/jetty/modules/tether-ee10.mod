# Tether's proxy servlet for ee10 webapps. Most installations want the "tether" module instead:
# it proxies at the server level with no webapp at all.
# Install: unzip tether-jetty-dist.zip into $JETTY_BASE, then
#   java -jar $JETTY_HOME/start.jar --add-modules=http,ee10-deploy,tether-ee10
# and map dev.tether.jetty.TetherProxyServlet in the webapp's WEB-INF/web.xml, with the tether
# keys (endpoints, sessionHeader, ...) as init-params. The webapp does not bundle any jar: the
# servlet and Jetty's ProxyServlet load from this module's environment classpath (a webapp cannot
# see Jetty's own classes, so a copy of Tether in WEB-INF/lib would not find ProxyServlet).

[description]
Puts Tether's TetherProxyServlet (and Jetty's ee10 ProxyServlet it extends) on the ee10
classpath, for webapps that map the servlet in web.xml.

[environment]
ee10

[tags]
proxy

[depend]
client
ee10-servlet

[lib]
lib/jetty-ee10-proxy-${jetty.version}.jar
lib/tether/*.jar
