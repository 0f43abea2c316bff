#!/bin/sh
# dhclient -sf script for the lab's LAN client: applies the address and default route with ip and logs
# one line per event to the log file the lab writes in below (dhclient clears the environment), and touches
# nothing else (the stock script would rewrite the host resolv.conf).
log=@LOG@
case "$reason" in
  PREINIT) ip link set dev "$interface" up ;;
  BOUND|RENEW|REBIND|REBOOT)
    ip addr replace "$new_ip_address/${new_subnet_mask:-255.255.255.0}" dev "$interface"
    [ -n "$new_routers" ] && ip route replace default via "${new_routers%% *}" dev "$interface"
    ;;
esac
echo "$(date +%s.%N) $reason ${new_ip_address:-} ${new_dhcp_server_identifier:-}" >>"$log"
exit 0
