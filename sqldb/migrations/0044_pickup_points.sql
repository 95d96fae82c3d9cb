-- Pick-up points (驿站) a parcel can be sent to instead of a home address.
-- Business data, seeded here; coordinates in millionths of a degree. A
-- person's own position never reaches the server: the page sorts by
-- distance in the browser (policy 二(八)1).
CREATE TABLE pickup_points (
	id      TEXT PRIMARY KEY,
	name    TEXT NOT NULL,
	city    TEXT NOT NULL,
	address TEXT NOT NULL,
	lat_e6  BIGINT NOT NULL,
	lng_e6  BIGINT NOT NULL
);
INSERT INTO pickup_points (id, name, city, address, lat_e6, lng_e6) VALUES
	('pp_hz_wenyi', 'minimall 驿站 · 文一西路', '杭州', '浙江省杭州市余杭区文一西路 969 号 1 号门', 30281900, 120018500),
	('pp_hz_xixi', 'minimall 驿站 · 西溪', '杭州', '浙江省杭州市西湖区天目山路 398 号', 30275300, 120122900),
	('pp_hz_binjiang', 'minimall 驿站 · 滨江', '杭州', '浙江省杭州市滨江区江南大道 3850 号', 30207800, 120212400),
	('pp_sh_nanjing', 'minimall 驿站 · 南京东路', '上海', '上海市黄浦区南京东路 300 号', 31238400, 121484100),
	('pp_sh_zhangjiang', 'minimall 驿站 · 张江', '上海', '上海市浦东新区碧波路 690 号', 31203300, 121590900),
	('pp_sh_xujiahui', 'minimall 驿站 · 徐家汇', '上海', '上海市徐汇区漕溪北路 88 号', 31193100, 121437700),
	('pp_bj_zhongguancun', 'minimall 驿站 · 中关村', '北京', '北京市海淀区中关村大街 27 号', 39983400, 116315600),
	('pp_bj_wangjing', 'minimall 驿站 · 望京', '北京', '北京市朝阳区望京街 10 号', 39996100, 116480700),
	('pp_bj_guomao', 'minimall 驿站 · 国贸', '北京', '北京市朝阳区建国门外大街 1 号', 39908900, 116458900),
	('pp_gz_tianhe', 'minimall 驿站 · 天河', '广州', '广东省广州市天河区天河路 208 号', 23132600, 113327100),
	('pp_gz_zhujiang', 'minimall 驿站 · 珠江新城', '广州', '广东省广州市天河区花城大道 85 号', 23119300, 113322700),
	('pp_sz_nanshan', 'minimall 驿站 · 南山', '深圳', '广东省深圳市南山区科苑南路 2666 号', 22524400, 113944300);
